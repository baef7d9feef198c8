package io.xraydrift.cli.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.xraydrift.cli.demo.DemoFeed;
import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.TempDirs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A model change's backfill on the local stack: {@code --n} distinct phantoms through ingest onto
 * {@code xray.scans}, then an embedder started with {@code --backfill} on a model, timed from its
 * start until every scan's vector of that model is committed on {@code xray.embeddings} (read,
 * decode, forward pass, transactional write — what re-embedding a running pipeline's history costs).
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"A model change's backfill on the local stack: N scans ingested, then an embedder with "
                + "--backfill timed until every scan's new vector is committed.",
            "Prints: n=... ingest_seconds=... backfill_seconds=... scans_per_s=..."})
final class BackfillBench implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "10000", description = "Scans (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--model", description = "Model directory the backfill embeds with (default: the bundled model).")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (LocalRun run = LocalRun.start(out)) {
            Map<String, String> s = new HashMap<>(LocalRun.settings(run.stack()));
            Path state = TempDirs.create("xray-bench-backfill");
            s.put(ServiceConfig.HTTP_HOST, "127.0.0.1");
            s.put(ServiceConfig.HTTP_PORT, "0");
            s.put(Settings.DEMO_MODE, "true");
            s.put(IngestConfig.STATE_DIR, state.toString());
            List<PhantomSet.Item> items = PhantomSet.labelled(n, 0, 0, 4242, 0.15);
            double ingestSeconds;
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(s)));
                 DemoFeed feed = new DemoFeed(run.kafka(), 0, Settings.DEMO_API_TOKEN);
                 KafkaConsumer<String, byte[]> scans = consumer(run, "bench-backfill-scans")) {
                ingest.start();
                byte[][] pngs = feed.render(items);
                out.printf(Locale.ROOT, "%d phantoms rendered; ingesting...%n", n);
                scans.subscribe(List.of(Topics.SCANS.name()));
                scans.poll(Duration.ofMillis(500));
                long t0 = System.nanoTime();
                for (int i = 0; i < items.size(); i++) {
                    feed.publish(items.get(i), pngs[i], null);
                }
                feed.flush();
                await(scans, n, "scans on " + Topics.SCANS.name());
                ingestSeconds = (System.nanoTime() - t0) / 1e9;
            } finally {
                TempDirs.deleteQuietly(state);
            }
            out.printf(Locale.ROOT, "%d scans on %s in %.1f s; backfilling...%n", n, Topics.SCANS.name(), ingestSeconds);
            Map<String, String> e = new HashMap<>(s);
            e.put(EmbedderConfig.BACKFILL, "true");
            if (model != null) {
                e.put(EmbedderConfig.MODEL, model.toAbsolutePath().toString());
            }
            try (KafkaConsumer<String, byte[]> vectors = consumer(run, "bench-backfill-vectors")) {
                vectors.subscribe(List.of(Topics.EMBEDDINGS.name()));
                vectors.poll(Duration.ofMillis(500));
                long t0 = System.nanoTime();
                try (EmbedderService embedder = new EmbedderService(EmbedderConfig.from(Settings.of(e)))) {
                    embedder.start();
                    await(vectors, n, "vectors on " + Topics.EMBEDDINGS.name());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                out.printf(Locale.ROOT, "n=%d ingest_seconds=%.1f backfill_seconds=%.1f scans_per_s=%.1f%n", n,
                        ingestSeconds, seconds, n / seconds);
            }
        }
        return 0;
    }

    private static void await(KafkaConsumer<String, byte[]> c, int n, String what) {
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (seen < n && System.nanoTime() < deadline) {
            seen += c.poll(Duration.ofMillis(200)).count();
        }
        if (seen < n) {
            throw new IllegalStateException("only " + seen + " of " + n + " " + what);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(LocalRun run, String client) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties(client));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, client + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        return new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), new ByteArrayDeserializer());
    }
}
