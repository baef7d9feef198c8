package io.xraydrift.platform.http;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.config.SizeUnit;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

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

    /** Largest multipart request a service accepts unless it says otherwise. */
    public static final long DEFAULT_MAX_MULTIPART_BYTES = 8L * 1024 * 1024;

    /** Starts the endpoint on host:port (port 0 picks a free one). */
    public static HttpEndpoint start(
            String service,
            String host,
            int port,
            Health health,
            PrometheusMeterRegistry metrics,
            Consumer<RoutesConfig> serviceRoutes) {
        return start(service, host, port, health, metrics, serviceRoutes, DEFAULT_MAX_MULTIPART_BYTES, null);
    }

    /**
     * Starts the endpoint; a multipart request (or one part of it) over {@code maxMultipartBytes} is
     * refused while it is read, whether or not it declared its length (a chunked upload declares none),
     * and parts over 1 MiB go to a temporary file, not the heap. Plain bodies keep Javalin's bound.
     * With a {@code metricsToken}, {@code /metrics} answers only a request that presents it as a
     * bearer token (a Prometheus scrape's {@code authorization} setting); health stays open.
     */
    public static HttpEndpoint start(
            String service,
            String host,
            int port,
            Health health,
            PrometheusMeterRegistry metrics,
            Consumer<RoutesConfig> serviceRoutes,
            long maxMultipartBytes,
            String metricsToken) {
        BearerToken scrape = metricsToken == null ? null : new BearerToken(metricsToken, false);
        Javalin app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.multipartConfig.maxTotalRequestSize(maxMultipartBytes, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxFileSize(maxMultipartBytes, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            config.startup.showJavalinBanner = false;
            config.routes.get("/health/live", ctx -> {
                boolean live = health.live();
                ctx.status(live ? 200 : 503)
                        .json(Map.of(
                                "service", service, "status", live ? "UP" : "DOWN", "checks", health.livenessStates()));
            });
            config.routes.get("/health/ready", ctx -> {
                boolean ready = health.ready();
                ctx.status(ready ? 200 : 503).json(body(service, ready, health));
            });
            config.routes.get("/health", ctx -> {
                boolean ready = health.ready();
                ctx.status(ready ? 200 : 503).json(body(service, ready, health));
            });
            config.routes.get("/metrics", ctx -> {
                if (scrape == null || scrape.check(ctx)) {
                    ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape());
                }
            });
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
        Map<String, String> problems = health.problems();
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        return body;
    }
}
