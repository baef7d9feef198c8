package io.xraydrift.cli.bench;

import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks (measurements, not tests): one line of figures each. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures throughput; prints one line of figures.",
            "Benchmarks are not tests: nothing here " + "passes or fails."
        },
        subcommands = {
            BenchCommand.Phantoms.class,
            EmbedBench.class,
            IndexBench.class,
            IndexBench.Data.class,
            DriftBench.class,
            IngestBench.class,
            BackfillBench.class,
            SoakBench.class
        })
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "phantoms",
            mixinStandardHelpOptions = true,
            description = "Phantom rendering throughput, one thread and all cores (rendering only, no PNG encoding).")
    static final class Phantoms implements Callable<Integer> {

        @Option(
                names = "--n",
                defaultValue = "600",
                description = "Phantoms per measurement (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--size", defaultValue = "512", description = "Pixels per side (default: ${DEFAULT-VALUE}).")
        int size;

        @Override
        public Integer call() {
            PhantomRenderer renderer = new PhantomRenderer(size);
            var items = PhantomSet.labelled(n / 3, n / 3, n - 2 * (n / 3), 123, 0.15);
            items.stream().limit(Math.min(200, n)).forEach(i -> PhantomSet.render(renderer, i)); // warm-up
            long t0 = System.nanoTime();
            items.forEach(i -> PhantomSet.render(renderer, i));
            double single = items.size() / ((System.nanoTime() - t0) / 1e9);
            int cores = Runtime.getRuntime().availableProcessors();
            t0 = System.nanoTime();
            IntStream.range(0, items.size()).parallel().forEach(i -> PhantomSet.render(renderer, items.get(i)));
            double all = items.size() / ((System.nanoTime() - t0) / 1e9);
            System.out.println(String.format(
                    Locale.ROOT,
                    "bench=phantoms size=%d n=%d phantoms_per_s_1_thread=%.1f phantoms_per_s_%d_cores=%.1f",
                    size,
                    items.size(),
                    single,
                    cores,
                    all));
            return 0;
        }
    }
}
