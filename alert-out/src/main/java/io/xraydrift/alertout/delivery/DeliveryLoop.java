package io.xraydrift.alertout.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer's consumer of {@code xray.alerts} (group {@code xray-alert-out-<sink>}): alerts in
 * offset order, each delivered before its offset is committed, so nothing is skipped and a
 * restart sends at most the alert in hand again (the sinks name it by the alert id, so the peer
 * stores it once). A peer that cannot be reached is tried until it can, backing off to
 * {@code maxBackoff}, with the partitions paused and the consumer polled so the group keeps it; a
 * peer that refuses an alert {@code attempts} times gets it dead-lettered with its answer, and the
 * next alert goes.
 */
public final class DeliveryLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    private final Sink sink;
    private final AlertOutConfig config;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Deserializer<DriftAlert> alerts;
    private final Serializer<DeadLetter> deadLetterValues;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Not known to be reachable until a probe or a delivery says so. */
    private final AtomicBoolean reachable = new AtomicBoolean(false);

    private final AtomicBoolean firstProbe = new AtomicBoolean(true);
    private final Counter delivered;
    private final Counter deadLettered;
    private final Counter retries;

    public DeliveryLoop(Sink sink, AlertOutConfig config, MeterRegistry metrics) {
        this.sink = sink;
        this.config = config;
        this.consumer = Transactions.consumer(
                config.common(),
                sink.name(),
                group(sink),
                20,
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.fromStart() ? "earliest" : "latest"));
        Map<String, Object> p = new HashMap<>(
                config.common().kafka().clientProperties(config.common().clientId(sink.name() + "-deadletters")));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        var serdes = config.common().kafka().serdes();
        this.alerts = serdes.valueDeserializer(Topics.ALERTS);
        this.deadLetterValues = serdes.valueSerializer(Topics.DEAD_LETTER);
        this.delivered = Counter.builder("xray_alert_out_delivered_total")
                .tag("peer", sink.name())
                .register(metrics);
        this.deadLettered = Counter.builder("xray_alert_out_dead_lettered_total")
                .tag("peer", sink.name())
                .register(metrics);
        this.retries = Counter.builder("xray_alert_out_retries_total")
                .tag("peer", sink.name())
                .register(metrics);
    }

    /** The consumer group of a sink's loop. */
    public static String group(Sink sink) {
        return ServiceAccess.ALERT_OUT.prefix() + "-" + sink.name();
    }

    /**
     * False while the peer cannot be reached — by the last delivery or the last probe, whichever came
     * later (readiness reports it; alerts wait, none is lost).
     */
    public boolean peerReachable() {
        return reachable.get();
    }

    /** Probes the peer (at start and every probe interval, from the service's timer) and records the answer. */
    public void probe() {
        try {
            sink.probe();
            if (!reachable.getAndSet(true)) {
                LOG.info("{} peer answers", sink.name());
            }
        } catch (IOException | RuntimeException e) {
            if (reachable.getAndSet(false) | firstProbe.getAndSet(false)) {
                LOG.warn("{} peer cannot be reached: {}", sink.name(), e.getMessage());
            }
        }
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(Set.of(Topics.ALERTS.name()));
            while (running.get()) {
                var batch = consumer.poll(Duration.ofMillis(500));
                if (batch.isEmpty()) {
                    continue;
                }
                consumer.pause(consumer.assignment());
                try {
                    for (ConsumerRecord<String, byte[]> r : batch) {
                        if (!running.get()) {
                            break;
                        }
                        // A partition revoked meanwhile is its new owner's; the others' records go on.
                        if (consumer.assignment().contains(new TopicPartition(r.topic(), r.partition()))) {
                            handle(r);
                        }
                    }
                } finally {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(10));
            deadLetters.close(Duration.ofSeconds(10));
            sink.close();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) throws InterruptedException {
        DriftAlert alert;
        try {
            alert = alerts.deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            deadLetter(DeadLetters.of(
                    stage(),
                    r,
                    "alert at " + r.topic() + "-" + r.partition() + "@" + r.offset() + " does not deserialize: "
                            + e.getMessage(),
                    e));
            commit(r);
            return;
        }
        long backoff = FIRST_BACKOFF.toMillis();
        int refusals = 0;
        long firstError = 0;
        while (running.get()) {
            try {
                sink.deliver(alert);
                reachable.set(true);
                delivered.increment();
                commit(r);
                return;
            } catch (Sink.Refused e) {
                reachable.set(true);
                if (e.retryFor() != null) {
                    long now = System.nanoTime();
                    firstError = firstError == 0 ? now : firstError;
                    if (now - firstError >= e.retryFor().toNanos()) {
                        deadLetter(DeadLetters.of(
                                stage(),
                                r,
                                sink.name() + " peer answered an application error to alert " + alert.getAlertId()
                                        + " for " + e.retryFor() + "; last: " + e.getMessage(),
                                null));
                        commit(r);
                        return;
                    }
                    LOG.warn(
                            "{} peer answered an application error to alert {} (retried until {} have passed): {}",
                            sink.name(),
                            alert.getAlertId(),
                            e.retryFor(),
                            e.getMessage());
                } else {
                    refusals++;
                    if (refusals >= config.attempts()) {
                        deadLetter(DeadLetters.of(
                                stage(),
                                r,
                                sink.name() + " peer refused alert " + alert.getAlertId() + " " + refusals
                                        + " times; last: " + e.getMessage(),
                                null));
                        commit(r);
                        return;
                    }
                    LOG.warn(
                            "{} peer refused alert {} (attempt {} of {}): {}",
                            sink.name(),
                            alert.getAlertId(),
                            refusals,
                            config.attempts(),
                            e.getMessage());
                }
            } catch (IOException e) {
                if (reachable.getAndSet(false)) {
                    LOG.warn(
                            "{} peer cannot be reached; alert {} waits: {}",
                            sink.name(),
                            alert.getAlertId(),
                            e.getMessage());
                }
            }
            retries.increment();
            waitKeepingTheGroup(backoff);
            backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
            if (!consumer.assignment().contains(new TopicPartition(r.topic(), r.partition()))) {
                return; // revoked while waiting: its new owner delivers it
            }
        }
    }

    /** Sleeps, polling the paused consumer now and then so the group does not drop it. */
    private void waitKeepingTheGroup(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running.get() && System.nanoTime() < until) {
            consumer.pause(consumer.assignment());
            consumer.poll(Duration.ZERO);
            Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        }
    }

    private void commit(ConsumerRecord<String, byte[]> r) {
        try {
            consumer.commitSync(
                    Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
        } catch (CommitFailedException e) {
            // The partition moved to another instance: it delivers from the last commit (the same ids).
            LOG.warn(
                    "commit of {}-{}@{} failed after delivery ({}); its new owner may send it again, under the same id",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage());
        }
    }

    private void deadLetter(DeadLetter d) {
        try {
            deadLetters.send(DeadLetters.record(d, deadLetterValues)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing a dead letter", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the dead letter: " + e.getMessage(), e);
        }
        deadLettered.increment();
    }

    private String stage() {
        return "alert-out:" + sink.name();
    }

    public void stop() {
        running.set(false);
        consumer.wakeup();
    }
}
