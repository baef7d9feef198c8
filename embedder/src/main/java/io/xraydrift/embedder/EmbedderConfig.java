package io.xraydrift.embedder;

import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
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
    public static final String MODEL = "XRAY_EMBEDDER_MODEL";
    public static final String DEVICE = "XRAY_EMBEDDER_DEVICE";
    public static final String MAX_BATCH = "XRAY_EMBEDDER_MAX_BATCH";
    public static final String MAX_WAIT = "XRAY_EMBEDDER_MAX_WAIT";
    public static final String THREADS = "XRAY_EMBEDDER_THREADS";
    public static final String INPUT_SIZE = "XRAY_EMBEDDER_INPUT_SIZE";
    public static final String MEAN = "XRAY_EMBEDDER_MEAN";
    public static final String STD = "XRAY_EMBEDDER_STD";
    public static final String BACKFILL = "XRAY_EMBEDDER_BACKFILL";
    public static final String API_TOKEN = "XRAY_API_TOKEN";

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
                s.optional(MODEL).map(Path::of),
                s.choice(DEVICE, Device.AUTO),
                s.integer(MAX_BATCH, 16, 1, 1024),
                s.duration(MAX_WAIT, Duration.ofMillis(50), Duration.ZERO, Duration.ofSeconds(10)),
                s.integer(THREADS, Runtime.getRuntime().availableProcessors(), 1, 256),
                s.integer(INPUT_SIZE, 224, 32, 2048),
                (float) s.decimal(MEAN, 0.449, 0.0, 1.0),
                (float) s.decimal(STD, 0.226, 0.001, 1.0),
                s.bool(BACKFILL, false),
                serving ? s.apiToken(API_TOKEN, "POST /embed needs a bearer token outside demo mode") : null);
    }
}
