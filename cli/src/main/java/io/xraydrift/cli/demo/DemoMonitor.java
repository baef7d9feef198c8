package io.xraydrift.cli.demo;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Watches the pipeline's topics for the demo (read_committed): counts scans in, embedded, scored,
 * dead letters and alerts; prints each alert as one line when it arrives, with the time from its
 * triggering scan's submission; tracks each patient's latest trajectory.
 */
final class DemoMonitor implements Runnable, AutoCloseable {

    /** An alert as the demo saw it arrive. */
    record Seen(DriftAlert alert, long arrivedMillis, Long latencyMillis) {}

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<DriftAlert> alerts;
    private final Deserializer<PatientTrajectory> trajectories;
    private final Deserializer<DeadLetter> deadLetters;
    private final Deserializer<ScanNeighbours> neighbours;
    private final Set<String> scored = ConcurrentHashMap.newKeySet();
    private final PrintStream out;
    private final Function<String, String> describe;
    private final Map<String, Long> submitted;
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final Map<String, Integer> points = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this, "demo-monitor");
    private String lastProgress = "";
    private long lastPrinted;

    /**
     * @param describe  patient pseudonym → what the demo knows of it (e.g. "worsening #1")
     * @param submitted "pseudonym|acquiredAtMillis" → wall-clock millis the scan was submitted
     */
    DemoMonitor(KafkaSettings kafka, PrintStream out, Function<String, String> describe, Map<String, Long> submitted) {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties("demo-monitor"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "xray-demo-monitor-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        this.consumer = new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), new ByteArrayDeserializer());
        EventSerdes serdes = kafka.serdes();
        this.alerts = serdes.valueDeserializer(Topics.ALERTS);
        this.trajectories = serdes.valueDeserializer(Topics.TRAJECTORIES);
        this.deadLetters = serdes.valueDeserializer(Topics.DEAD_LETTER);
        this.neighbours = serdes.valueDeserializer(Topics.NEIGHBOURS);
        this.out = out;
        this.describe = describe;
        this.submitted = submitted;
    }

    void start() {
        consumer.subscribe(List.of(
                Topics.SCANS.name(),
                Topics.EMBEDDINGS.name(),
                Topics.NEIGHBOURS.name(),
                Topics.ALERTS.name(),
                Topics.TRAJECTORIES.name(),
                Topics.DEAD_LETTER.name()));
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    counts.merge(r.topic(), 1L, Long::sum);
                    if (r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(Topics.ALERTS.name())) {
                        alert(alerts.deserialize(r.topic(), r.value()));
                    } else if (r.topic().equals(Topics.TRAJECTORIES.name())) {
                        PatientTrajectory t = trajectories.deserialize(r.topic(), r.value());
                        points.merge(t.getPatient(), t.getPoints().size(), Math::max);
                    } else if (r.topic().equals(Topics.NEIGHBOURS.name())) {
                        scored.add(neighbours.deserialize(r.topic(), r.value()).getScanId());
                    } else if (r.topic().equals(Topics.DEAD_LETTER.name())) {
                        DeadLetter d = deadLetters.deserialize(r.topic(), r.value());
                        synchronized (out) {
                            out.println("  dead letter (" + d.getStage() + "): " + d.getReason());
                        }
                    }
                }
                progress(false);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void alert(DriftAlert a) {
        long now = System.currentTimeMillis();
        Long t0 = submitted.get(a.getPatient() + "|" + a.getAcquiredAt().toEpochMilli());
        Long latency = t0 == null ? null : now - t0;
        seen.add(new Seen(a, now, latency));
        String time = LocalTime.now(ZoneId.systemDefault()).format(CLOCK);
        synchronized (out) {
            out.printf(
                    Locale.ROOT,
                    "  ALERT %s %-14s %-19s %s -> %s  %s%s%n",
                    time,
                    describe.apply(a.getPatient()),
                    a.getKind(),
                    a.getFromLevel(),
                    a.getToLevel(),
                    a.getReason(),
                    latency == null
                            ? ""
                            : String.format(Locale.ROOT, "  [%.1f s after the scan was sent]", latency / 1000.0));
        }
    }

    /** Prints the counters when they changed (at most every 2 s unless forced). */
    void progress(boolean force) {
        String line = String.format(
                Locale.ROOT,
                "  [pipeline] scans in %d | embedded %d | scored %d | alerts %d | " + "dead letters %d",
                count(Topics.SCANS.name()),
                count(Topics.EMBEDDINGS.name()),
                count(Topics.NEIGHBOURS.name()),
                count(Topics.ALERTS.name()),
                count(Topics.DEAD_LETTER.name()));
        long now = System.currentTimeMillis();
        if (force || !line.equals(lastProgress) && now - lastPrinted >= 2000) {
            synchronized (out) {
                out.println(line);
            }
            lastProgress = line;
            lastPrinted = now;
        }
    }

    long count(String topic) {
        return counts.getOrDefault(topic, 0L);
    }

    /** Scans on the patient's latest trajectory. */
    int points(String pseudonym) {
        return points.getOrDefault(pseudonym, 0);
    }

    /** Ids of every scan the indexer scored. */
    Set<String> scored() {
        return Set.copyOf(scored);
    }

    List<Seen> alerts() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
