package io.xraydrift.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A service's HTTP endpoint: {@code GET /health/live}, {@code GET /health/ready} (503 until every
 * readiness check passes), {@code GET /health} (both, with each check) and {@code GET /metrics}
 * (Prometheus text format), plus the service's own routes.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Javalin app;

    private HttpEndpoint(Javalin app) {
        this.app = app;
    }

    /** Starts the endpoint on host:port (port 0 picks a free one). */
    public static HttpEndpoint start(String service, String host, int port, Health health,
                                     PrometheusMeterRegistry metrics, Consumer<RoutesConfig> serviceRoutes) {
        Javalin app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("service", service, "status", "UP")));
            config.routes.get("/health/ready", ctx -> {
                boolean ready = health.ready();
                ctx.status(ready ? 200 : 503).json(body(service, ready, health));
            });
            config.routes.get("/health", ctx -> {
                boolean ready = health.ready();
                ctx.status(ready ? 200 : 503).json(body(service, ready, health));
            });
            config.routes.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape()));
            serviceRoutes.accept(config.routes);
        });
        app.start();
        return new HttpEndpoint(app);
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static Map<String, Object> body(String service, boolean ready, Health health) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        body.put("status", ready ? "UP" : "DOWN");
        body.put("checks", health.states());
        return body;
    }
}
