package io.xraydrift.platform.config;

import io.xraydrift.platform.kafka.ProgressWatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
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

    public static final String INSTANCE_ID = "XRAY_INSTANCE_ID";
    public static final String HTTP_HOST = "XRAY_HTTP_HOST";
    public static final String HTTP_PORT = "XRAY_HTTP_PORT";
    public static final String STALL_AFTER = "XRAY_STALL_AFTER";

    /** Reads the common keys; {@code defaultPort} differs per service so they can share a host. */
    public static ServiceConfig from(Settings s, String service, int defaultPort) {
        return new ServiceConfig(
                service,
                s.string(INSTANCE_ID, hostName()),
                s.string(HTTP_HOST, "0.0.0.0"),
                s.port(HTTP_PORT, defaultPort),
                KafkaSettings.from(s),
                s.duration(STALL_AFTER, Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofHours(1)));
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
