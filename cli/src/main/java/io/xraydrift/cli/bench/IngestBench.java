package io.xraydrift.cli.bench;

import io.xraydrift.cli.demo.DemoFeed;
import io.xraydrift.cli.demo.DemoScan;
import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.TempDirs;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest throughput on the local stack: distinct 512² phantoms (PNG) through the intake topic or
 * HTTP uploads, timed until every scan is on {@code xray.scans} (intake) or answered 202 (HTTP).
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = {
            "Scans/s through ingest (decode, normalise, gate, pseudonymise, write) on the local stack.",
            "Prints: way=intake|http n=... seconds=... scans_per_s=..."
        })
final class IngestBench implements Callable<Integer> {

    @Option(names = "--way", defaultValue = "intake", description = "intake or http (default: ${DEFAULT-VALUE}).")
    String way;

    @Option(names = "--n", defaultValue = "400", description = "Scans (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--clients",
            defaultValue = "4",
            description = "Concurrent HTTP uploaders (default: ${DEFAULT-VALUE}).")
    int clients;

    @Override
    public Integer call() throws Exception {
        if (!way.equals("intake") && !way.equals("http")) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--way=" + way + " must be intake or http");
        }
        PrintStream out = System.out;
        try (LocalRun run = LocalRun.start(out)) {
            Path state = TempDirs.create("xray-bench-ingest");
            Map<String, String> s = serviceSettings(run, state);
            List<PhantomSet.Item> items = PhantomSet.labelled(n, 0, 0, 31337, 0.15);
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(s)));
                    DemoFeed feed = new DemoFeed(run.kafka(), 0, Settings.DEMO_API_TOKEN)) {
                ingest.start();
                byte[][] pngs = feed.render(items);
                out.printf(
                        Locale.ROOT,
                        "%d phantoms rendered (%.0f kB PNG on average); ingesting through %s...%n",
                        n,
                        Arrays.stream(pngs).mapToInt(b -> b.length).average().orElse(0) / 1024,
                        way);
                double seconds = way.equals("intake")
                        ? intake(run, feed, items, pngs)
                        : http(run, ingest.httpPort(), items, pngs);
                out.printf(Locale.ROOT, "way=%s n=%d seconds=%.2f scans_per_s=%.1f%n", way, n, seconds, n / seconds);
            } finally {
                TempDirs.deleteQuietly(state);
            }
        }
        return 0;
    }

    /** A service's settings on the bench's stack: demo mode, HTTP on a free loopback port, ingest's state in {@code state}. */
    static Map<String, String> serviceSettings(LocalRun run, Path state) {
        Map<String, String> s = new HashMap<>(LocalRun.settings(run.stack()));
        s.put(ServiceConfig.HTTP_HOST.name(), "127.0.0.1");
        s.put(ServiceConfig.HTTP_PORT.name(), "0");
        s.put(Settings.DEMO_MODE.name(), "true");
        s.put(IngestConfig.STATE_DIR.name(), state.toString());
        return s;
    }

    /** Publishes the phantoms to the intake topic; the seconds until every one is on {@code xray.scans}. */
    static double intake(LocalRun run, DemoFeed feed, List<PhantomSet.Item> items, byte[][] pngs) {
        try (KafkaConsumer<String, byte[]> c = reader(run, "bench-ingest-reader")) {
            c.subscribe(List.of(Topics.SCANS.name()));
            c.poll(Duration.ofMillis(500));
            long t0 = System.nanoTime();
            for (int i = 0; i < items.size(); i++) {
                feed.publish(items.get(i), pngs[i], null);
            }
            feed.flush();
            await(c, items.size(), "scans came out of ingest");
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private double http(LocalRun run, int port, List<PhantomSet.Item> items, byte[][] pngs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long t0 = System.nanoTime();
        List<DemoScan> scans = DemoScan.phantoms(items, pngs);
        try (DemoFeed feed = new DemoFeed(run.kafka(), port, Settings.DEMO_API_TOKEN)) {
            List<Future<?>> jobs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                jobs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < items.size(); i = next.getAndIncrement()) {
                        HttpResponse<String> r = feed.upload(scans.get(i));
                        if (r.statusCode() != 202) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " uploads were refused");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Polls until {@code n} records came (at most an hour); fails saying how many of {@code what} did. */
    static void await(KafkaConsumer<String, byte[]> c, int n, String what) {
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (seen < n && System.nanoTime() < deadline) {
            seen += c.poll(Duration.ofMillis(200)).count();
        }
        if (seen < n) {
            throw new IllegalStateException("only " + seen + " of " + n + " " + what);
        }
    }

    /** A read_committed reader of what is written from now on, in a group of its own. */
    static KafkaConsumer<String, byte[]> reader(LocalRun run, String client) {
        Map<String, Object> props = new HashMap<>(run.kafka().clientProperties(client));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, client + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        return new KafkaConsumer<>(props, EventSerdes.keys().deserializer(), new ByteArrayDeserializer());
    }
}
