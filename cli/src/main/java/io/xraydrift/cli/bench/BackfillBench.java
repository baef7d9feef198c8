package io.xraydrift.cli.bench;

import io.xraydrift.cli.demo.DemoFeed;
import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.TempDirs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A model change's backfill on the local stack: {@code --n} distinct phantoms through ingest onto
 * {@code xray.scans}, then an embedder started with {@code --backfill} on a model, timed from its
 * start until every scan's vector of that model is committed on {@code xray.embeddings} (read,
 * decode, forward pass, transactional write — what re-embedding a running pipeline's history costs).
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "A model change's backfill on the local stack: N scans ingested, then an embedder with "
                    + "--backfill timed until every scan's new vector is committed.",
            "Prints: n=... ingest_seconds=... backfill_seconds=... scans_per_s=..."
        })
final class BackfillBench implements Callable<Integer> {

    @Option(names = "--n", defaultValue = "10000", description = "Scans (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--model", description = "Model directory the backfill embeds with (default: the bundled model).")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        try (LocalRun run = LocalRun.start(out)) {
            Path state = TempDirs.create("xray-bench-backfill");
            Map<String, String> s = IngestBench.serviceSettings(run, state);
            List<PhantomSet.Item> items = PhantomSet.labelled(n, 0, 0, 4242, 0.15);
            double ingestSeconds;
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(s)));
                    DemoFeed feed = new DemoFeed(run.kafka(), 0, Settings.DEMO_API_TOKEN)) {
                ingest.start();
                byte[][] pngs = feed.render(items);
                out.printf(Locale.ROOT, "%d phantoms rendered; ingesting...%n", n);
                ingestSeconds = IngestBench.intake(run, feed, items, pngs);
            } finally {
                TempDirs.deleteQuietly(state);
            }
            out.printf(
                    Locale.ROOT, "%d scans on %s in %.1f s; backfilling...%n", n, Topics.SCANS.name(), ingestSeconds);
            s.put(EmbedderConfig.BACKFILL.name(), "true");
            if (model != null) {
                s.put(EmbedderConfig.MODEL.name(), model.toAbsolutePath().toString());
            }
            try (KafkaConsumer<String, byte[]> vectors = IngestBench.reader(run, "bench-backfill-vectors")) {
                vectors.subscribe(List.of(Topics.EMBEDDINGS.name()));
                vectors.poll(Duration.ofMillis(500));
                long t0 = System.nanoTime();
                try (EmbedderService embedder = new EmbedderService(EmbedderConfig.from(Settings.of(s)))) {
                    embedder.start();
                    IngestBench.await(vectors, n, "vectors on " + Topics.EMBEDDINGS.name());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "n=%d ingest_seconds=%.1f backfill_seconds=%.1f scans_per_s=%.1f%n",
                        n,
                        ingestSeconds,
                        seconds,
                        n / seconds);
            }
        }
        return 0;
    }
}
