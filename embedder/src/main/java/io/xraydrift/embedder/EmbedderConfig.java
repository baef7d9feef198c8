package io.xraydrift.embedder;

import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The embedder's configuration.
 *
 * @param common   service name, HTTP port, Kafka and registry
 * @param model    a TorchScript backbone or trained model directory; empty = the bundled default model
 * @param device   where the forward pass runs
 * @param maxBatch scans per forward pass at most
 * @param maxWait  longest a scan waits for its batch to fill
 * @param threads  intra-op threads of the engine ({@code ai.djl.pytorch.num_threads})
 * @param inputSize input side of a bare TorchScript model (a model directory's card says its own)
 * @param mean     normalisation mean of a bare TorchScript model
 * @param std      normalisation standard deviation of a bare TorchScript model
 * @param backfill replay xray.scans from the beginning under a consumer group of this model version
 * @param apiToken bearer token of {@code POST /embed}
 */
public record EmbedderConfig(
        ServiceConfig common,
        Optional<Path> model,
        Device device,
        int maxBatch,
        Duration maxWait,
        int threads,
        int inputSize,
        float mean,
        float std,
        boolean backfill,
        String apiToken) {

    /** Where to run the model: a GPU when the engine reports one ({@code AUTO}), or forced. */
    public enum Device {
        AUTO,
        CPU,
        GPU
    }

    public static final String SERVICE = "embedder";
    public static final int DEFAULT_PORT = 8082;
    public static final ConfigKey<Optional<Path>> MODEL = ConfigKey.optionalPath(
            "XRAY_EMBEDDER_MODEL", "bundled default", "TorchScript backbone or trained model directory");
    public static final ConfigKey<Device> DEVICE =
            ConfigKey.choice("XRAY_EMBEDDER_DEVICE", Device.AUTO, "`auto` (GPU when the engine has one), `cpu`, `gpu`");
    public static final ConfigKey<Integer> MAX_BATCH =
            ConfigKey.integer("XRAY_EMBEDDER_MAX_BATCH", 16, 1, 1024, "scans per forward pass at most");
    public static final ConfigKey<Duration> MAX_WAIT = ConfigKey.duration(
            "XRAY_EMBEDDER_MAX_WAIT",
            Duration.ofMillis(50),
            Duration.ZERO,
            Duration.ofSeconds(10),
            "longest a scan waits for its batch");
    public static final ConfigKey<Integer> THREADS = ConfigKey.of(
            "XRAY_EMBEDDER_THREADS",
            "cores",
            "engine intra-op threads",
            (s, n) -> s.integer(n, Runtime.getRuntime().availableProcessors(), 1, 256));
    private static final String BARE = " of a bare TorchScript model (a trained model directory carries its own)";
    public static final ConfigKey<Integer> INPUT_SIZE =
            ConfigKey.integer("XRAY_EMBEDDER_INPUT_SIZE", 224, 32, 2048, "input side" + BARE);
    public static final ConfigKey<Double> MEAN =
            ConfigKey.decimal("XRAY_EMBEDDER_MEAN", 0.449, 0.0, 1.0, "normalisation mean" + BARE);
    public static final ConfigKey<Double> STD =
            ConfigKey.decimal("XRAY_EMBEDDER_STD", 0.226, 0.001, 1.0, "normalisation standard deviation" + BARE);
    public static final ConfigKey<Boolean> BACKFILL = ConfigKey.bool(
            "XRAY_EMBEDDER_BACKFILL",
            false,
            "replay `xray.scans` from the start under a consumer group of this model version (same as `--backfill`)");
    public static final ConfigKey<String> API_TOKEN = ConfigKey.apiToken(
            "XRAY_API_TOKEN", "POST /embed needs a bearer token outside demo mode", "bearer token of `POST /embed`");

    /** The embedder's keys, in the guide's order. */
    public static final List<ConfigKey<?>> KEYS =
            List.of(MODEL, DEVICE, MAX_BATCH, MAX_WAIT, THREADS, INPUT_SIZE, MEAN, STD, BACKFILL, API_TOKEN);

    public static EmbedderConfig from(Settings s) {
        return from(s, true);
    }

    /**
     * The model settings alone, for commands that load the model and serve nothing (evaluate,
     * crossval, bench embed): no API token is asked for ({@link #apiToken()} is null).
     */
    public static EmbedderConfig forModelOnly(Settings s) {
        return from(s, false);
    }

    private static EmbedderConfig from(Settings s, boolean serving) {
        return new EmbedderConfig(
                ServiceConfig.from(s, SERVICE, DEFAULT_PORT),
                MODEL.from(s),
                DEVICE.from(s),
                MAX_BATCH.from(s),
                MAX_WAIT.from(s),
                THREADS.from(s),
                INPUT_SIZE.from(s),
                MEAN.from(s).floatValue(),
                STD.from(s).floatValue(),
                BACKFILL.from(s),
                serving ? API_TOKEN.from(s) : null);
    }
}
