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
