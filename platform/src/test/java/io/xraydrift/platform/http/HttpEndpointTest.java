package io.xraydrift.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The endpoint every service serves: health open, /metrics only with the token when one is set. */
class HttpEndpointTest {

    @Test
    void metricsWantTheTokenHealthDoesNot() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("xray_test_total").increment();
        String token = "metrics-token-0123456789abcdef";
        try (HttpEndpoint http = HttpEndpoint.start(
                "t",
                "127.0.0.1",
                0,
                new Health(),
                registry,
                r -> {},
                HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES,
                token)) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + http.port();
            assertEquals(
                    401,
                    client.send(
                                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            HttpResponse<String> scraped = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scraped.statusCode());
            assertTrue(scraped.body().contains("xray_test_total"), scraped.body());
            assertEquals(
                    200,
                    client.send(
                                    HttpRequest.newBuilder(URI.create(base + "/health/live"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
        }
    }
}
