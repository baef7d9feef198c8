package io.xraydrift.platform.http;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Prometheus registry of one service: JVM and process meters, the Kafka clients it binds,
 * and the service's own counters. Tags: {@code service}, {@code instance}. Never a patient
 * identifier in a tag.
 */
public final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<KafkaClientMetrics> clients = new CopyOnWriteArrayList<>();

    public Metrics(String service, String instance) {
        registry.config().commonTags(List.of(Tag.of("service", service), Tag.of("instance", instance)));
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Exposes a producer's client metrics ({@code kafka_producer_*}). */
    public void bind(Producer<?, ?> producer) {
        add(new KafkaClientMetrics(producer));
    }

    /** Exposes a consumer's client metrics ({@code kafka_consumer_*}). */
    public void bind(Consumer<?, ?> consumer) {
        add(new KafkaClientMetrics(consumer));
    }

    private void add(KafkaClientMetrics binder) {
        binder.bindTo(registry);
        clients.add(binder);
    }

    @Override
    public void close() {
        clients.forEach(KafkaClientMetrics::close);
        gc.close();
        registry.close();
    }
}
