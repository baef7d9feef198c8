package io.xraydrift.platform.config;

import io.xraydrift.platform.kafka.SchemaRegistration;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
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

    public static final String BOOTSTRAP_SERVERS = "XRAY_KAFKA_BOOTSTRAP_SERVERS";
    public static final String REGISTRY_URL = "XRAY_REGISTRY_URL";
    public static final String REPLICATION_FACTOR = "XRAY_TOPIC_REPLICATION_FACTOR";
    public static final String REGISTRY_PATIENCE = "XRAY_REGISTRY_PATIENCE";
    /** Retention of {@code xray.audit} when topic setup creates it: a duration ({@code 3650d}) or {@code forever} (default). */
    public static final String AUDIT_RETENTION = "XRAY_AUDIT_RETENTION";

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8080";

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
        String bootstrap = s.string(BOOTSTRAP_SERVERS, DEFAULT_BOOTSTRAP_SERVERS);
        for (String server : bootstrap.split(",")) {
            if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
                throw new ConfigException(
                        BOOTSTRAP_SERVERS + "='" + bootstrap + "': '" + server.trim() + "' is not host:port");
            }
        }
        String registry = s.url(REGISTRY_URL, DEFAULT_REGISTRY_URL).toString();
        short replication = (short) s.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE);
        Duration patience =
                s.duration(REGISTRY_PATIENCE, EventSerdes.DEFAULT_PATIENCE, Duration.ZERO, Duration.ofMinutes(10));
        String audit = s.string(AUDIT_RETENTION, "forever").trim();
        Duration auditRetention = audit.equalsIgnoreCase("forever")
                ? null
                : s.duration(AUDIT_RETENTION, null, Duration.ofDays(1), Duration.ofDays(365L * 100));
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
