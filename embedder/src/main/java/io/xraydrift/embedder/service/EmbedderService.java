package io.xraydrift.embedder.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.javalin.http.Context;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.platform.AbstractService;
import io.xraydrift.platform.ServiceShell;
import io.xraydrift.platform.http.BearerToken;
import io.xraydrift.platform.http.HttpEndpoint;
import io.xraydrift.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedder: loads the model once (GPU when the engine has one, unless configured otherwise),
 * runs the exactly-once embedding loop on its own thread, and serves {@code POST /embed} (image
 * bytes in, vector and model version out) beside health and metrics.
 */
public final class EmbedderService extends AbstractService {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderService.class);

    private final EmbedderConfig config;
    private final BearerToken token;
    private volatile EmbeddingModel model;
    private volatile EmbeddingLoop loop;
    private volatile Thread thread;

    public EmbedderService(EmbedderConfig config) {
        this.config = config;
        this.token = new BearerToken(config.apiToken(), false);
    }

    @Override
    public String name() {
        return EmbedderConfig.SERVICE;
    }

    @Override
    public void start() {
        Models.configureThreads(config.threads());
        Device device = Models.device(config.device());
        model = Models.load(config, device);
        LOG.info(
                "model {} version {} ({} floats, input {}x{}x{}) on {}; engine {} {}, {} threads, batch <= {}, wait <= {} ms",
                model.card().id(),
                model.card().version(),
                model.card().embeddingSize(),
                model.card().channels(),
                model.card().inputSize(),
                model.card().inputSize(),
                device,
                Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(),
                config.threads(),
                config.maxBatch(),
                config.maxWait().toMillis());
        shell = ServiceShell.start(
                config.common(),
                health,
                routes -> routes.post("/embed", this::embed),
                HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES,
                config.apiToken());
        loop = new EmbeddingLoop(config, model, config.common().kafka().serdes(), shell.metrics());
        health.register("embedding-loop", () -> loop.healthy());
        watchProgress(config.common(), loop.group(), Set.of(Topics.SCANS.name()), "embedding-progress");
        thread = new Thread(loop, "embedder-loop");
        thread.start();
        health.registerLiveness("embedding-loop", thread::isAlive);
    }

    /** Ad-hoc embedding (bearer token): PNG or JPEG bytes in, the vector and the model version out. */
    private void embed(Context ctx) {
        if (!token.check(ctx)) {
            return;
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("image/png")
                && !type.startsWith("image/jpeg")
                && !type.startsWith("application/octet-stream")) {
            ctx.status(415)
                    .json(Map.of(
                            "error",
                            "Content-Type '" + ctx.contentType() + "' is not supported; send image/png or image/jpeg"));
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        float[] vector;
        try {
            vector = model.embed(model.preprocessing().input(Preprocessing.decode(body)));
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.card().id());
        out.put("version", model.card().version());
        out.put("dimension", vector.length);
        out.put("vector", vector);
        ctx.json(out);
    }

    /** The loaded model. */
    public EmbeddingModel model() {
        return model;
    }

    @Override
    protected void stopParts() {
        EmbeddingLoop l = loop;
        if (l != null) {
            l.stop();
        }
    }

    @Override
    public void close() {
        super.close();
        if (model != null) {
            model.close(); // after the shell: no /embed request finds it closed
        }
    }
}
