package io.xraydrift.alertout.delivery;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.platform.reid.IdentifierSeal;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-identification at the hospital edge, alert-out's half: reads the compacted
 * {@code xray.reidentification} topic from its start (every partition assigned, no group) and keeps
 * each scan's sealed identifiers — sealed, as they came: they are opened with the hospital's key only
 * when an alert about that scan is filed, and never logged. A lookup waits (bounded) for the reader
 * to reach the topic's end as it was when asked, so an alert is not filed pseudonymously only because
 * its scan's record had not been read yet.
 */
public final class SealedIdentifierReader implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SealedIdentifierReader.class);

    private final IdentifierSeal seal;
    private final KafkaConsumer<String, byte[]> consumer;
    /** A second client, only for the topic's end offsets (the reading one belongs to its thread). */
    private final KafkaConsumer<String, byte[]> ends;

    private final Deserializer<SealedIdentifiers> values;
    private final Map<String, SealedIdentifiers> byScan = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> position = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public SealedIdentifierReader(AlertOutConfig config) {
        this.seal = IdentifierSeal.ofBase64(config.reidKey());
        this.consumer = Transactions.consumer(config.common(), "reidentification", null, 500, Map.of());
        this.ends = Transactions.consumer(config.common(), "reidentification-ends", null, 1, Map.of());
        this.values = config.common().kafka().serdes().valueDeserializer(Topics.REIDENTIFICATION);
        this.thread = new Thread(this, "alert-out-reidentification");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.REIDENTIFICATION.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        SealedIdentifiers s = values.deserialize(r.topic(), r.headers(), r.value());
                        byScan.put(s.getScanId(), s);
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "sealed identifiers at {}-{}@{} do not deserialize; skipped: {}",
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                e.getClass().getSimpleName());
                    }
                }
                consumer.assignment().forEach(tp -> position.put(tp, consumer.position(tp)));
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The hospital identifiers of a scan, opened; empty when the scan has none sealed (ingest ran
     * without re-identification then) or they do not open under this key. Waits up to {@code wait} for
     * the reader to reach the end the topic had when asked.
     */
    public Optional<IdentifierSeal.Identifiers> identifiers(String scanId, Duration wait) throws InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        if (!byScan.containsKey(scanId)) {
            Map<TopicPartition, Long> endOffsets = endOffsets(wait);
            while (!byScan.containsKey(scanId) && !reached(endOffsets) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        }
        SealedIdentifiers s = byScan.get(scanId);
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(seal.open(s));
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; filed under the pseudonym", e.getMessage());
            return Optional.empty();
        }
    }

    private synchronized Map<TopicPartition, Long> endOffsets(Duration wait) {
        try {
            List<TopicPartition> parts = ends.partitionsFor(Topics.REIDENTIFICATION.name(), wait).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            return ends.endOffsets(parts, wait);
        } catch (RuntimeException e) {
            LOG.warn(
                    "the end of {} could not be read ({}); the lookup waits its full time",
                    Topics.REIDENTIFICATION.name(),
                    e.getClass().getSimpleName());
            return Map.of(new TopicPartition(Topics.REIDENTIFICATION.name(), 0), Long.MAX_VALUE);
        }
    }

    private boolean reached(Map<TopicPartition, Long> endOffsets) {
        return endOffsets.entrySet().stream().allMatch(e -> position.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** How many scans' identifiers it holds (sealed). */
    public int size() {
        return byScan.size();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            ends.close(Duration.ofSeconds(5));
        }
    }
}
