package io.xraydrift.cli.bench;

import ai.djl.Device;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.service.Models;
import io.xraydrift.phantoms.Phantom;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Embedding throughput of a model: batches of preprocessed phantoms through one forward pass each. */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = {
            "Embedding throughput and latency of a model (forward passes only; inputs preprocessed first).",
            "Prints: model=... device=... batch=... threads=... img_per_s=... p50_ms=... p99_ms=... "
                    + "(latency per batch). Compare with Python torch: embedder/bench/compare-resnet152.sh."
        })
final class EmbedBench implements Callable<Integer> {

    @Option(names = "--model", description = "Model directory or TorchScript file (default: the bundled model).")
    Path model;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--n", defaultValue = "64", description = "Images measured (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--threads", description = "Engine intra-op threads (default: all cores).")
    Integer threads;

    @Option(
            names = "--input-size",
            defaultValue = "224",
            description = "Input side of a bare TorchScript model (default: ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Models.configureThreads(t);
        Map<String, String> env = new HashMap<>();
        env.put(EmbedderConfig.DEVICE.name(), device);
        env.put(EmbedderConfig.INPUT_SIZE.name(), String.valueOf(inputSize));
        if (model != null) {
            env.put(EmbedderConfig.MODEL.name(), model.toString());
        }
        EmbedderConfig config = EmbedderConfig.forModelOnly(Settings.of(env));
        Device dev = Models.device(config.device());
        try (EmbeddingModel m = Models.load(config, dev)) {
            PhantomRenderer renderer = new PhantomRenderer(256);
            List<float[]> inputs = new ArrayList<>();
            for (PhantomSet.Item item : PhantomSet.labelled(batch, 0, 0, 99, 0)) {
                Phantom p = PhantomSet.render(renderer, item);
                inputs.add(m.preprocessing().input(p.pixels(), p.width(), p.height()));
            }
            for (int w = 0; w < 3; w++) {
                m.embed(inputs); // warm-up
            }
            int batches = Math.max(1, (n + batch - 1) / batch);
            double[] ms = new double[batches];
            long began = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                long t0 = System.nanoTime();
                m.embed(inputs);
                ms[b] = (System.nanoTime() - t0) / 1e6;
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            Arrays.sort(ms);
            System.out.println(String.format(
                    Locale.ROOT,
                    "model=%s device=%s batch=%d threads=%d img_per_s=%.2f p50_ms=%.1f p99_ms=%.1f dim=%d runtime=djl",
                    m.card().id(),
                    m.device(),
                    batch,
                    t,
                    batches * batch / seconds,
                    ms[batches / 2],
                    ms[Math.min(batches - 1, (int) Math.ceil(batches * 0.99) - 1)],
                    m.card().embeddingSize()));
        }
        return 0;
    }
}
