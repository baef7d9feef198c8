package io.xraydrift.platform.config;

import io.xraydrift.platform.kafka.SchemaRegistration;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How a service reaches Kafka and the schema registry.
 *
 * @param bootstrapServers  Kafka {@code bootstrap.servers}
 * @param registryBaseUrl   schema registry base URL, e.g. {@code http://registry:8080}
 * @param replicationFactor replication factor topic setup creates topics with
 * @param clientOverrides   Kafka client settings passed through unchanged (SASL, TLS, ...)
 * @param registryPatience  how long a serde call retries while the registry does not answer
 * @param registryAccess    trust store and credentials for the registry
 * @param auditRetention    how long topic setup has the audit topic keep records; null: forever
 */
public record KafkaSettings(
        String bootstrapServers,
        String registryBaseUrl,
        short replicationFactor,
        Map<String, String> clientOverrides,
        Duration registryPatience,
        RegistryAccess registryAccess,
        Duration auditRetention) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8080";

    public static final ConfigKey<String> BOOTSTRAP_SERVERS = ConfigKey.string(
            "XRAY_KAFKA_BOOTSTRAP_SERVERS",
            DEFAULT_BOOTSTRAP_SERVERS,
            "Kafka bootstrap servers (`host:port[,host:port]`)");
    public static final ConfigKey<URI> REGISTRY_URL = ConfigKey.url(
            "XRAY_REGISTRY_URL",
            DEFAULT_REGISTRY_URL,
            "schema registry base URL (Apicurio; the serdes use `/apis/registry/v3`, setup uses `/apis/ccompat/v7`)");
    public static final ConfigKey<Duration> REGISTRY_PATIENCE = ConfigKey.duration(
            "XRAY_REGISTRY_PATIENCE",
            EventSerdes.DEFAULT_PATIENCE,
            Duration.ZERO,
            Duration.ofMinutes(10),
            "how long a serde call retries while the registry does not answer, before the service reads the batch "
                    + "again");
    public static final ConfigKey<Integer> REPLICATION_FACTOR = ConfigKey.integer(
            "XRAY_TOPIC_REPLICATION_FACTOR",
            1,
            1,
            Short.MAX_VALUE,
            "replication factor of topics the setup step creates");
    /** Retention of {@code xray.audit} when topic setup creates it: a duration ({@code 3650d}) or {@code forever} (default, null). */
    public static final ConfigKey<Duration> AUDIT_RETENTION = ConfigKey.of(
            "XRAY_AUDIT_RETENTION",
            "`forever`",
            "retention of `xray.audit` when topic setup creates it (`3650d`, ≥ 1 day); an existing topic is reported, "
                    + "not changed",
            (s, n) -> s.string(n, "forever").trim().equalsIgnoreCase("forever")
                    ? null
                    : s.duration(n, null, Duration.ofDays(1), Duration.ofDays(365L * 100)));
    /** Kafka client settings passed through ({@link Settings#kafkaClientOverrides()}). */
    public static final ConfigKey<Void> CLIENT_OVERRIDES = ConfigKey.documented(
            Settings.KAFKA_CLIENT_ENV_PREFIX + "*",
            "—",
            "passed to every Kafka client: `XRAY_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL` → `security.protocol`; in "
                    + "the properties file use `kafka.<client key>` verbatim (e.g. `kafka.sasl.jaas.config=…`)");

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException(BOOTSTRAP_SERVERS + " is empty");
        }
        registryBaseUrl = registryBaseUrl.endsWith("/")
                ? registryBaseUrl.substring(0, registryBaseUrl.length() - 1)
                : registryBaseUrl;
        clientOverrides = Map.copyOf(clientOverrides);
        registryAccess = registryAccess == null ? RegistryAccess.NONE : registryAccess;
    }

    public static KafkaSettings from(Settings s) {
        String bootstrap = BOOTSTRAP_SERVERS.from(s);
        for (String server : bootstrap.split(",")) {
            if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
                throw new ConfigException(
                        BOOTSTRAP_SERVERS + "='" + bootstrap + "': '" + server.trim() + "' is not host:port");
            }
        }
        String registry = REGISTRY_URL.from(s).toString();
        short replication = REPLICATION_FACTOR.from(s).shortValue();
        Duration patience = REGISTRY_PATIENCE.from(s);
        Duration auditRetention = AUDIT_RETENTION.from(s);
        return new KafkaSettings(
                bootstrap,
                registry,
                replication,
                s.kafkaClientOverrides(),
                patience,
                RegistryAccess.from(s),
                auditRetention);
    }

    /** The topic as topic setup creates it here: the declaration with this deployment's settings (audit retention). */
    public Topic<?> declared(Topic<?> topic) {
        if (topic.equals(Topics.AUDIT) && auditRetention != null) {
            return topic.withConfig(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(auditRetention.toMillis()));
        }
        return topic;
    }

    /** Apicurio's v3 API, the URL its serdes take. */
    public String registryApiUrl() {
        return registryBaseUrl + "/apis/registry/v3";
    }

    /** The event serdes, on this registry with this patience. */
    public EventSerdes serdes() {
        return new EventSerdes(registryApiUrl(), registryAccess.serdeConfig(), registryPatience);
    }

    /** The schema registration step's client for the registry's Confluent-compatible API. */
    public SchemaRegistration schemaRegistration() {
        return new SchemaRegistration(ccompatUrl(), registryAccess.httpClient(), registryAccess.authorization());
    }

    /** Names the override keys but never their values (they hold passwords). */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", registry=" + registryBaseUrl
                + ", replicationFactor=" + replicationFactor + ", clientOverrides=" + clientOverrides.keySet()
                + ", registryPatience=" + registryPatience + ", " + registryAccess + ", auditRetention="
                + (auditRetention == null ? "forever" : auditRetention) + "]";
    }

    /** The registry's Confluent-compatible API. */
    public String ccompatUrl() {
        return registryBaseUrl + "/apis/ccompat/v7";
    }

    /** Base properties for any Kafka client: bootstrap servers, then the pass-through overrides. */
    public Map<String, Object> clientProperties(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.putAll(clientOverrides);
        return p;
    }
}
