package io.xraydrift.platform.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What every service is configured with: its name and instance, the port of its HTTP endpoint
 * ({@code /health}, {@code /metrics} and its own API) and how it reaches Kafka.
 *
 * @param service    service name, e.g. {@code ingest}
 * @param instanceId this replica's id (default: host name), part of client ids
 * @param httpHost   address the HTTP endpoint binds
 * @param httpPort   port of the HTTP endpoint (0 picks a free one)
 * @param kafka      Kafka and registry settings
 */
public record ServiceConfig(String service, String instanceId, String httpHost, int httpPort, KafkaSettings kafka) {

    public static final String INSTANCE_ID = "XRAY_INSTANCE_ID";
    public static final String HTTP_HOST = "XRAY_HTTP_HOST";
    public static final String HTTP_PORT = "XRAY_HTTP_PORT";

    /** The keys of this service, documented: the source of its --help and of docs/operations.md's table. */
    public static final java.util.List<ConfigDoc> DOCS = java.util.List.of(
            ConfigDoc.of(java.util.List.of(Settings.DEMO_MODE), "`false`",
                    "allows built-in demo secrets and tokens (never for real patients)"),
            ConfigDoc.of(java.util.List.of(KafkaSettings.BOOTSTRAP_SERVERS), "`127.0.0.1:9092`",
                    "Kafka bootstrap servers (`host:port[,host:port]`)"),
            ConfigDoc.of(java.util.List.of(KafkaSettings.REGISTRY_URL), "`http://127.0.0.1:8080`",
                    "schema registry base URL (Apicurio; the serdes use `/apis/registry/v3`, setup uses `/apis/ccompat/v7`)"),
            ConfigDoc.of(java.util.List.of(KafkaSettings.REGISTRY_PATIENCE), "`15s`",
                    "how long a serde call retries while the registry does not answer, before the service reads the batch again"),
            ConfigDoc.of(java.util.List.of(KafkaSettings.REPLICATION_FACTOR), "`1`",
                    "replication factor of topics the setup step creates"),
            ConfigDoc.of(java.util.List.of(Settings.KAFKA_CLIENT_ENV_PREFIX + "*"), "—",
                    "passed to every Kafka client: `XRAY_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL` → `security.protocol`; in the properties file use `kafka.<client key>` verbatim (e.g. `kafka.sasl.jaas.config=…`)"),
            ConfigDoc.of(java.util.List.of(RegistryAccess.TRUSTSTORE, RegistryAccess.TRUSTSTORE_TYPE, RegistryAccess.TRUSTSTORE_PASSWORD), "JVM default, `PKCS12`",
                    "trust store for an HTTPS registry (serdes and schema registration)"),
            ConfigDoc.of(java.util.List.of(RegistryAccess.USERNAME, RegistryAccess.PASSWORD), "—",
                    "registry basic auth; `XRAY_REGISTRY_CLIENT_*` → any `apicurio.registry.*` serde setting (OIDC); see [docs/security.md](security.md)"),
            ConfigDoc.of(java.util.List.of(KafkaSettings.AUDIT_RETENTION), "`forever`",
                    "retention of `xray.audit` when topic setup creates it (`3650d`, ≥ 1 day); an existing topic is reported, not changed"),
            ConfigDoc.of(java.util.List.of(HTTP_HOST), "`0.0.0.0`",
                    "address of the service's HTTP endpoint"),
            ConfigDoc.of(java.util.List.of(HTTP_PORT), "8081 ingest, 8082 embedder, 8083 indexer, 8084 drift-monitor, 8085 alert-out",
                    "port of `/health`, `/health/live`, `/health/ready`, `/metrics` and the service API"),
            ConfigDoc.of(java.util.List.of(INSTANCE_ID), "host name",
                    "replica id, part of Kafka client ids and a metrics tag"),
            ConfigDoc.of(java.util.List.of("XRAY_LOG_LEVEL"), "`info`",
                    "level of the project's own loggers"));

    /** Reads the common keys; {@code defaultPort} differs per service so they can share a host. */
    public static ServiceConfig from(Settings s, String service, int defaultPort) {
        return new ServiceConfig(service, s.string(INSTANCE_ID, hostName()), s.string(HTTP_HOST, "0.0.0.0"),
                s.port(HTTP_PORT, defaultPort), KafkaSettings.from(s));
    }

    /** Client id for one of this instance's Kafka clients, e.g. {@code ingest-host1-producer}. */
    public String clientId(String role) {
        return service + "-" + instanceId + "-" + role;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "local";
        }
    }
}
