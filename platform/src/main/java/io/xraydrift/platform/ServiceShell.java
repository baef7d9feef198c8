package io.xraydrift.platform;

import io.javalin.config.RoutesConfig;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.http.Health;
import io.xraydrift.platform.http.HttpEndpoint;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.schemas.Topics;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service stands on: the Kafka bootstrap step (topics + schemas), a metrics registry,
 * readiness checks and the HTTP endpoint serving health, metrics and the service's own routes.
 */
public final class ServiceShell implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceShell.class);

    private final ServiceConfig config;
    private final Health health;
    private final Metrics metrics;
    private final HttpEndpoint http;
    private final KafkaBootstrap.Outcome bootstrap;

    private ServiceShell(
            ServiceConfig config, Health health, Metrics metrics, HttpEndpoint http, KafkaBootstrap.Outcome bootstrap) {
        this.config = config;
        this.health = health;
        this.metrics = metrics;
        this.http = http;
        this.bootstrap = bootstrap;
    }

    /** Runs the bootstrap step, then starts metrics and the HTTP endpoint with the service's routes. */
    public static ServiceShell start(ServiceConfig config, Health health, Consumer<RoutesConfig> routes) {
        return start(config, health, routes, HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES, null);
    }

    /**
     * As {@link #start(ServiceConfig, Health, Consumer)}, with the largest multipart request it reads
     * and the bearer token {@code /metrics} wants (null: open).
     */
    public static ServiceShell start(
            ServiceConfig config,
            Health health,
            Consumer<RoutesConfig> routes,
            long maxMultipartBytes,
            String metricsToken) {
        // Each service sets up and checks only the topics it uses: with ACLs it may see no others.
        KafkaBootstrap.Outcome outcome = KafkaBootstrap.prepare(
                config.kafka(),
                config.clientId("setup"),
                ServiceAccess.of(config.service()).map(ServiceAccess::topics).orElse(Topics.all()));
        Metrics metrics = new Metrics(config.service(), config.instanceId());
        HttpEndpoint http = HttpEndpoint.start(
                config.service(),
                config.httpHost(),
                config.httpPort(),
                health,
                metrics.registry(),
                routes,
                maxMultipartBytes,
                metricsToken);
        LOG.info(
                "{} ({}) HTTP on {}:{}, Kafka {}, registry {}; topics created: {}, mismatched: {}",
                config.service(),
                config.instanceId(),
                config.httpHost(),
                http.port(),
                config.kafka().bootstrapServers(),
                config.kafka().registryBaseUrl(),
                outcome.topics().created(),
                outcome.topics().mismatches().size());
        return new ServiceShell(config, health, metrics, http, outcome);
    }

    public ServiceConfig config() {
        return config;
    }

    public Health health() {
        return health;
    }

    public Metrics metrics() {
        return metrics;
    }

    public int httpPort() {
        return http.port();
    }

    public KafkaBootstrap.Outcome bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() {
        try {
            http.close();
        } finally {
            metrics.close();
        }
    }
}
