package io.xraydrift.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared start/stop shape against the real stack: bootstrap, health, metrics, clean stop. */
@ExtendWith(LocalStackExtension.class)
class ShellServiceIT {

    @Test
    void startsServesHealthAndMetricsAndStops(LocalStack stack) throws Exception {
        String registryBase = stack.registryBaseUrl();
        ServiceConfig config = ServiceConfig.from(
                Settings.of(Map.of(
                        "XRAY_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                        "XRAY_REGISTRY_URL", registryBase,
                        "XRAY_HTTP_HOST", "127.0.0.1",
                        "XRAY_HTTP_PORT", "0",
                        "XRAY_INSTANCE_ID", "it")),
                "shell-it",
                0);
        HttpClient http = HttpClient.newHttpClient();
        int port;
        try (ShellService service = new ShellService(config)) {
            service.start();
            port = service.httpPort();
            HttpResponse<String> health = get(http, port, "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
            assertEquals(200, get(http, port, "/health/live").statusCode());
            assertEquals(200, get(http, port, "/health/ready").statusCode());
            HttpResponse<String> metrics = get(http, port, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM meters exported");
            assertTrue(metrics.body().contains("service=\"shell-it\""), "service tag on every meter");
        }
        int closedPort = port;
        assertThrows(ConnectException.class, () -> get(http, closedPort, "/health/live"));
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
