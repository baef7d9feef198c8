package io.xraydrift.platform.config;

import io.xraydrift.platform.kafka.ProgressWatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What every service is configured with: its name and instance, the port of its HTTP endpoint
 * ({@code /health}, {@code /metrics} and its own API) and how it reaches Kafka.
 *
 * @param service    service name, e.g. {@code ingest}
 * @param instanceId this replica's id (default: host name), part of client ids
 * @param httpHost   address the HTTP endpoint binds
 * @param httpPort   port of the HTTP endpoint (0 picks a free one)
 * @param kafka      Kafka and registry settings
 * @param stallAfter how long a consumer group may commit nothing while input waits before readiness
 *                   reports it stalled
 */
public record ServiceConfig(
        String service, String instanceId, String httpHost, int httpPort, KafkaSettings kafka, Duration stallAfter) {

    public static final ConfigKey<String> HTTP_HOST =
            ConfigKey.string("XRAY_HTTP_HOST", "0.0.0.0", "address of the service's HTTP endpoint");
    /** Unset: the service's own default port. */
    public static final ConfigKey<Optional<Integer>> HTTP_PORT = ConfigKey.of(
            "XRAY_HTTP_PORT",
            "8081 ingest, 8082 embedder, 8083 indexer, 8084 drift-monitor, 8085 alert-out",
            "port of `/health`, `/health/live`, `/health/ready`, `/metrics` and the service API",
            (s, n) -> s.optional(n).map(v -> s.port(n, 0)));

    public static final ConfigKey<String> INSTANCE_ID = ConfigKey.of(
            "XRAY_INSTANCE_ID",
            "host name",
            "replica id, part of Kafka client ids and a metrics tag",
            (s, n) -> s.string(n, hostName()));
    /** Read by the log4j2 configuration ({@code log4j2.xml}), not by a config record. */
    public static final ConfigKey<Void> LOG_LEVEL =
            ConfigKey.documented("XRAY_LOG_LEVEL", "`info`", "level of the project's own loggers");

    public static final ConfigKey<Duration> STALL_AFTER = ConfigKey.duration(
            "XRAY_STALL_AFTER",
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            "how long a service's consumer group may commit nothing while input waits (end offsets, uncommitted "
                    + "records included, past its committed offsets) before readiness reports it stalled, naming the "
                    + "partitions; `xray_consumer_stalls_total` counts the episodes");

    /** The keys every service reads, in the guide's order. */
    public static final List<ConfigKey<?>> COMMON_KEYS = List.of(
            Settings.DEMO_MODE,
            KafkaSettings.BOOTSTRAP_SERVERS,
            KafkaSettings.REGISTRY_URL,
            KafkaSettings.REGISTRY_PATIENCE,
            KafkaSettings.REPLICATION_FACTOR,
            KafkaSettings.CLIENT_OVERRIDES,
            RegistryAccess.TRUSTSTORE,
            RegistryAccess.TRUSTSTORE_TYPE,
            RegistryAccess.TRUSTSTORE_PASSWORD,
            RegistryAccess.USERNAME,
            RegistryAccess.PASSWORD,
            KafkaSettings.AUDIT_RETENTION,
            HTTP_HOST,
            HTTP_PORT,
            INSTANCE_ID,
            LOG_LEVEL,
            STALL_AFTER);

    /** Reads the common keys; {@code defaultPort} differs per service so they can share a host. */
    public static ServiceConfig from(Settings s, String service, int defaultPort) {
        return new ServiceConfig(
                service,
                INSTANCE_ID.from(s),
                HTTP_HOST.from(s),
                HTTP_PORT.from(s).orElse(defaultPort),
                KafkaSettings.from(s),
                STALL_AFTER.from(s));
    }

    /**
     * Starts watching a consumer group of this service for stalls (input waiting, nothing committed
     * for {@link #stallAfter()}), checked every few seconds.
     */
    public ProgressWatch progressWatch(String group, Set<String> topics) {
        return new ProgressWatch(
                kafka.clientProperties(clientId("progress")),
                group,
                topics,
                stallAfter,
                Duration.ofMillis(Math.max(200, Math.min(5000, stallAfter.toMillis() / 4))));
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
