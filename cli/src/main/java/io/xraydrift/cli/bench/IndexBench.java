package io.xraydrift.cli.bench;

import io.xraydrift.events.Level;
import io.xraydrift.indexer.forest.Forest;
import io.xraydrift.indexer.forest.Kernels;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.forest.Neighbour;
import io.xraydrift.indexer.forest.SyntheticVectors;
import io.xraydrift.indexer.forest.VecsFiles;
import io.xraydrift.indexer.forest.Vectors;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.indexer.service.SnapshotFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The forest on ANN-benchmark files: recall@k, queries per second, build time, memory. */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        description = {
            "ANN forest benchmark on .fvecs/.ivecs files (the SIFT1M formats).",
            "Prints one line per --search-k value: recall@K=... qps=... build_s=... trees=... search_k=... n=... dim=... "
                    + "Queries run single-threaded unless --threads says otherwise; the build uses all cores. "
                    + "Make files with 'bench index-data'; compare with Annoy: indexer/bench/compare-annoy.sh."
        })
final class IndexBench implements Callable<Integer> {

    @Option(names = "--base", required = true, description = "Base vectors (.fvecs).")
    Path base;

    @Option(names = "--query", required = true, description = "Query vectors (.fvecs).")
    Path query;

    @Option(names = "--truth", required = true, description = "True nearest neighbour ids (.ivecs).")
    Path truth;

    @Option(names = "--k", defaultValue = "36", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--trees", defaultValue = "20", description = "Trees (default: ${DEFAULT-VALUE}).")
    int trees;

    @Option(
            names = "--search-k",
            split = ",",
            description = "Candidates per query, comma-separated for several runs " + "(default: k * trees).")
    List<Integer> searchKs;

    @Option(names = "--threads", defaultValue = "1", description = "Query threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--metric",
            defaultValue = "angular",
            description = "angular or euclidean (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--leaf-size", description = "Items per leaf at most (default: dim + 2 within [256, 4096]).")
    Integer leafSize;

    @Option(
            names = "--repeat",
            defaultValue = "3",
            description = "Timed passes per search-k; the median is printed " + "(default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--during-rebuild",
            description = "Also measure query latency p50/p99 idle and while a rebuild runs.")
    boolean duringRebuild;

    @Option(
            names = "--snapshot",
            paramLabel = "DIR",
            description = "Also write the index (vectors, forest, ids) as "
                    + "an indexer snapshot into DIR, load it back, and print its size and both times.")
    Path snapshotDir;

    private boolean warmedUp;

    @Override
    public Integer call() throws Exception {
        Metric m = Metric.valueOf(metric.toUpperCase(Locale.ROOT));
        VecsFiles.Matrix b = VecsFiles.readFvecs(base);
        VecsFiles.Matrix q = VecsFiles.readFvecs(query);
        VecsFiles.IntMatrix t = VecsFiles.readIvecs(truth);
        if (q.dim() != b.dim()) {
            throw new IllegalArgumentException("queries have " + q.dim() + " dims, base has " + b.dim());
        }
        if (t.dim() < k) {
            throw new IllegalArgumentException("truth has " + t.dim() + " neighbours per query, --k is " + k);
        }
        int leaf = leafSize != null ? leafSize : Forest.defaultLeafSize(b.dim());
        Vectors vectors = new Vectors(m, b.dim(), b.rows());
        for (int i = 0; i < b.rows(); i++) {
            vectors.add(Arrays.copyOfRange(b.data(), i * b.dim(), (i + 1) * b.dim()));
        }
        long began = System.nanoTime();
        Forest.build(vectors.view(), m, trees, 42, leaf);
        double coldSeconds = (System.nanoTime() - began) / 1e9;
        // A service rebuilds many times: the second build (JIT warm) is the one that recurs.
        began = System.nanoTime();
        Forest forest = Forest.build(vectors.view(), m, trees, 42, leaf);
        double buildSeconds = (System.nanoTime() - began) / 1e9;
        LiveIndex index = new LiveIndex(vectors, trees, 42, leaf, 1e9, Duration.ofDays(365), (x, y) -> {});
        index.restore(forest, 1);
        double raw = 4.0 * b.rows() * b.dim();
        System.out.printf(
                Locale.ROOT,
                "# kernels=%s leaf_size=%d vectors_mb=%.1f trees_mb=%.1f memory_ratio=%.3f "
                        + "build_cold_s=%.2f build_warm_s=%.2f%n",
                Kernels.best().name(),
                leaf,
                raw / 1e6,
                forest.treeBytes() / 1e6,
                (raw + forest.treeBytes()) / raw,
                coldSeconds,
                buildSeconds);
        List<Integer> runs = searchKs == null || searchKs.isEmpty() ? List.of(k * trees) : searchKs;
        for (int searchK : runs) {
            run(index, q, t, searchK, buildSeconds, b.rows(), b.dim());
        }
        if (duringRebuild) {
            latencyDuringRebuild(index, q, runs.get(0));
        }
        if (snapshotDir != null) {
            snapshot(b, m, forest);
        }
        index.close();
        return 0;
    }

    private void run(
            LiveIndex index,
            VecsFiles.Matrix q,
            VecsFiles.IntMatrix t,
            int searchK,
            double buildSeconds,
            int n,
            int dim)
            throws Exception {
        float[][] queries = new float[q.rows()][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = row(q, i);
        }
        // JIT warm-up (the C++ side needs none): on two cores the compiler threads take ~10 s to
        // reach the top tier for the whole query path (seen with -XX:+PrintCompilation), so the
        // first run warms for 12 s, later runs for 3 passes; every timed pass runs compiled code,
        // as a service that runs for days does.
        long warmUntil = System.nanoTime() + (warmedUp ? 0 : 12_000_000_000L);
        for (int w = 0; w < 3 || System.nanoTime() < warmUntil; w++) {
            pass(index, queries, searchK, new int[queries.length][]);
        }
        warmedUp = true;
        double[] qps = new double[repeat];
        long hits = 0;
        for (int pass = 0; pass < repeat; pass++) {
            int[][] found = new int[queries.length][];
            qps[pass] = pass(index, queries, searchK, found);
            hits = 0;
            for (int i = 0; i < queries.length; i++) {
                hits += hits(found[i], t, i);
            }
        }
        StringBuilder passes = new StringBuilder("# search_k=" + searchK + " qps per pass:");
        for (double p : qps) {
            passes.append(String.format(Locale.ROOT, " %.0f", p));
        }
        System.out.println(passes);
        Arrays.sort(qps);
        System.out.printf(
                Locale.ROOT,
                "recall@%d=%.4f qps=%.1f build_s=%.2f trees=%d search_k=%d n=%d dim=%d%n",
                k,
                hits / (double) (q.rows() * k),
                qps[repeat / 2],
                buildSeconds,
                trees,
                searchK,
                n,
                dim);
    }

    /**
     * One timed pass over the queries (answers kept, judged after the clock stops); returns queries
     * per second. One thread: a plain loop on this thread; more: each takes the next query.
     */
    private double pass(LiveIndex index, float[][] queries, int searchK, int[][] found) throws Exception {
        long began = System.nanoTime();
        if (threads <= 1) {
            for (int i = 0; i < queries.length; i++) {
                found[i] = ordinals(index.search(queries[i], k, searchK, null));
            }
        } else {
            AtomicInteger next = new AtomicInteger();
            Thread[] workers = new Thread[threads];
            for (int w = 0; w < threads; w++) {
                workers[w] = new Thread(() -> {
                    for (int i = next.getAndIncrement(); i < queries.length; i = next.getAndIncrement()) {
                        found[i] = ordinals(index.search(queries[i], k, searchK, null));
                    }
                });
                workers[w].start();
            }
            for (Thread w : workers) {
                w.join();
            }
        }
        return queries.length / ((System.nanoTime() - began) / 1e9);
    }

    private static int[] ordinals(List<Neighbour> neighbours) {
        int[] out = new int[neighbours.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = neighbours.get(i).ordinal();
        }
        return out;
    }

    /** How many of the answer's ordinals are among query i's true k nearest. */
    private int hits(int[] answer, VecsFiles.IntMatrix t, int i) {
        Set<Integer> truth = new HashSet<>();
        for (int j = 0; j < k; j++) {
            truth.add(t.data()[i * t.dim() + j]);
        }
        int h = 0;
        for (int ordinal : answer) {
            h += truth.contains(ordinal) ? 1 : 0;
        }
        return h;
    }

    private void latencyDuringRebuild(LiveIndex index, VecsFiles.Matrix q, int searchK) throws Exception {
        double[] idle = latencies(index, q, searchK, null);
        Thread rebuild = new Thread(index::rebuildNow, "bench-rebuild");
        rebuild.start();
        double[] busy = latencies(index, q, searchK, rebuild);
        rebuild.join();
        System.out.printf(
                Locale.ROOT,
                "latency_idle_p50_ms=%.2f p99_ms=%.2f latency_during_rebuild_p50_ms=%.2f "
                        + "p99_ms=%.2f ratio_p99=%.2f (queries single-threaded; rebuild on cores-1 threads)%n",
                idle[0],
                idle[1],
                busy[0],
                busy[1],
                busy[1] / idle[1]);
    }

    /** The index as the indexer snapshots it: written, then loaded back (from the page cache). */
    private void snapshot(VecsFiles.Matrix b, Metric m, Forest forest) throws Exception {
        try (ReferenceIndex ref =
                new ReferenceIndex("bench", "1", m, b.dim(), trees, 42, 1e9, Duration.ofDays(365), (x, y) -> {})) {
            Level[] levels = Level.values();
            for (int i = 0; i < b.rows(); i++) {
                ref.add("scan-" + i, "patient-" + (i % 1000), levels[i % levels.length], row(b, i));
            }
            ref.index().restore(forest, 1); // built over the same vectors in the same order
            long began = System.nanoTime();
            Path file = SnapshotFile.write(snapshotDir, ref, Map.of(0, (long) b.rows()));
            double writeSeconds = (System.nanoTime() - began) / 1e9;
            began = System.nanoTime();
            SnapshotFile.Loaded loaded = SnapshotFile.read(
                    file, new SnapshotFile.Expectation(m, trees), 42, 1e9, Duration.ofDays(365), (x, y) -> {});
            double loadSeconds = (System.nanoTime() - began) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "snapshot_mb=%.1f write_s=%.2f load_s=%.2f vectors=%d file=%s%n",
                    Files.size(file) / 1e6,
                    writeSeconds,
                    loadSeconds,
                    loaded.index().size(),
                    file);
            loaded.index().close();
        }
    }

    /** p50 and p99 query latency over the query set (repeated while {@code until} is alive). */
    private double[] latencies(LiveIndex index, VecsFiles.Matrix q, int searchK, Thread until) {
        double[] ms = new double[q.rows() * 20];
        int n = 0;
        do {
            for (int i = 0; i < q.rows() && n < ms.length; i++) {
                long t0 = System.nanoTime();
                index.search(row(q, i), k, searchK, null);
                ms[n++] = (System.nanoTime() - t0) / 1e6;
            }
        } while (until != null && until.isAlive() && n < ms.length);
        double[] sorted = Arrays.copyOf(ms, n);
        Arrays.sort(sorted);
        return new double[] {sorted[n / 2], sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]};
    }

    private static float[] row(VecsFiles.Matrix m, int i) {
        return Arrays.copyOfRange(m.data(), i * m.dim(), (i + 1) * m.dim());
    }

    /** Writes clustered low-rank base and query vectors and their exact neighbours. */
    @Command(
            name = "index-data",
            mixinStandardHelpOptions = true,
            description = "Writes base.fvecs, query.fvecs and truth.ivecs (exact neighbours by brute force): vectors "
                    + "clustered near a low-dimensional subspace, like embeddings.")
    static final class Data implements Callable<Integer> {

        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        @Option(names = "--n", defaultValue = "100000", description = "Base vectors (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--dim", defaultValue = "512", description = "Dimension (default: ${DEFAULT-VALUE}).")
        int dim;

        @Option(names = "--queries", defaultValue = "1000", description = "Queries (default: ${DEFAULT-VALUE}).")
        int queries;

        @Option(names = "--k", defaultValue = "100", description = "True neighbours kept (default: ${DEFAULT-VALUE}).")
        int k;

        @Option(
                names = "--intrinsic",
                defaultValue = "16",
                description = "Intrinsic dimension (default: ${DEFAULT-VALUE}).")
        int intrinsic;

        @Option(
                names = "--metric",
                defaultValue = "angular",
                description = "angular or euclidean (default: ${DEFAULT-VALUE}).")
        String metric;

        @Override
        public Integer call() throws Exception {
            Metric m = Metric.valueOf(metric.toUpperCase(Locale.ROOT));
            Files.createDirectories(out);
            float[] all = SyntheticVectors.lowRank(n + queries, dim, intrinsic, 50, 0.35, 0.02, 7);
            float[] baseData = Arrays.copyOfRange(all, 0, n * dim);
            float[] queryData = Arrays.copyOfRange(all, n * dim, (n + queries) * dim);
            VecsFiles.writeFvecs(out.resolve("base.fvecs"), baseData, dim);
            VecsFiles.writeFvecs(out.resolve("query.fvecs"), queryData, dim);
            Vectors vectors = new Vectors(m, dim, n);
            for (int i = 0; i < n; i++) {
                vectors.add(Arrays.copyOfRange(baseData, i * dim, (i + 1) * dim));
            }
            LiveIndex exact = new LiveIndex(vectors, 1, 1, 256, 1e9, Duration.ofDays(365), (x, y) -> {});
            int[] truth = new int[queries * k];
            IntStream.range(0, queries).parallel().forEach(i -> {
                List<Neighbour> nn = exact.exact(Arrays.copyOfRange(queryData, i * dim, (i + 1) * dim), k, x -> true);
                for (int j = 0; j < k; j++) {
                    truth[i * k + j] = nn.get(j).ordinal();
                }
            });
            VecsFiles.writeIvecs(out.resolve("truth.ivecs"), truth, k);
            exact.close();
            System.out.printf(
                    "wrote %d base and %d query vectors of %d dims (%s) and their %d true neighbours to %s%n",
                    n, queries, dim, m, k, out);
            return 0;
        }
    }
}
