package io.xraydrift.cli;

import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.stack.LocalStack;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The pipeline ITs' hospital feed: phantoms rendered at 256 px (ingest's smallest side) and
 * published to {@code xray.scans.intake} with the test's source, the labelled cohort first, then
 * patients' scans in batches. A send waits out a lost broker (delivery timeout 5 minutes).
 */
final class ScanFeed implements AutoCloseable {

    private final KafkaProducer<String, ScanIntake> producer;
    private final PhantomRenderer renderer = new PhantomRenderer(256);
    private final String source;

    ScanFeed(LocalStack stack, Serializer<ScanIntake> values, String source) {
        this.producer = new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        stack.bootstrapServers(),
                        "max.request.size",
                        24 * 1024 * 1024,
                        "linger.ms",
                        20,
                        "delivery.timeout.ms",
                        300_000),
                EventSerdes.keys().serializer(),
                values);
        this.source = source;
    }

    /** Each cohort film with its level as the reference label; returns once the broker holds them all. */
    void cohort(List<PhantomSet.Item> cohort) {
        for (PhantomSet.Item item : cohort) {
            producer.send(IntakeRecords.of(
                    item,
                    PhantomSet.render(renderer, item).toPng(),
                    Level.valueOf(item.grade().name()),
                    source));
        }
        producer.flush();
    }

    /** Scans {@code from} to {@code to} (exclusive) of the series, rendered in parallel, as patient scans (no label); returns {@code to}. */
    int series(List<PhantomSet.Item> series, int from, int to) {
        byte[][] pngs = new byte[to - from][];
        IntStream.range(from, to)
                .parallel()
                .forEach(i -> pngs[i - from] =
                        PhantomSet.render(renderer, series.get(i)).toPng());
        for (int i = from; i < to; i++) {
            producer.send(IntakeRecords.of(series.get(i), pngs[i - from], null, source));
        }
        producer.flush();
        return to;
    }

    /**
     * How many of the series may be sent while {@code pending} steps of a test's schedule (stops,
     * kills) have not happened: all but the last scan, so that a fast run cannot end before one.
     */
    static int feedable(List<?> series, Collection<?> pending) {
        return pending.isEmpty() ? series.size() : series.size() - 1;
    }

    @Override
    public void close() {
        producer.close();
    }
}
