package io.xraydrift.indexer.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.AbstractService;
import io.xraydrift.platform.ServiceShell;
import io.xraydrift.platform.http.BearerToken;
import io.xraydrift.platform.http.HttpEndpoint;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The indexer: the loop on its own thread, and the query API — {@code GET /index},
 * {@code GET /scans/{scanId}/neighbours?k=36}, {@code POST /search} — behind a bearer token.
 */
public final class IndexerService extends AbstractService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IndexerConfig config;
    private final BearerToken token;
    private volatile IndexerLoop loop;
    private volatile Thread thread;

    public IndexerService(IndexerConfig config) {
        this.config = config;
        this.token = new BearerToken(config.apiToken(), false);
    }

    @Override
    public String name() {
        return IndexerConfig.SERVICE;
    }

    @Override
    public void start() {
        shell = ServiceShell.start(
                config.common(),
                health,
                routes -> {
                    // One gate for the query API; health stays open, metrics have their own.
                    for (String path : List.of("/index", "/scans/*", "/search")) {
                        routes.before(path, ctx -> {
                            if (!token.check(ctx)) {
                                ctx.skipRemainingHandlers();
                            }
                        });
                    }
                    routes.get("/index", this::index);
                    routes.get("/scans/{scanId}/neighbours", this::scanNeighbours);
                    routes.post("/search", this::search);
                },
                HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES,
                config.apiToken());
        loop = new IndexerLoop(config, config.common().kafka().serdes(), shell.metrics());
        health.register("indexer-loop", () -> loop.healthy());
        watchProgress(config.common(), IndexerLoop.GROUP, Set.of(Topics.EMBEDDINGS.name()), "indexer-progress");
        thread = new Thread(loop, "indexer-loop");
        thread.start();
        health.registerLiveness("indexer-loop", thread::isAlive);
    }

    /** {@code GET /index}: the replica's settings, health, partitions it answers, and each model version's index. */
    record Status(
            int k,
            int trees,
            int searchK,
            String metric,
            boolean healthy,
            List<Integer> answeringPartitions,
            Map<String, Long> scans,
            List<ModelIndex> models) {}

    /** One model version's reference index. */
    record ModelIndex(
            String model,
            String version,
            int labelled,
            int healthy,
            int infected,
            int severe,
            long indexVersion,
            int inForest,
            int fresh,
            String lastBuild,
            long lastBuildMillis) {}

    /** A scan's answer: its neighbours and score from one model version's index. */
    record Answer(
            String model,
            String version,
            long indexVersion,
            double severityScore,
            String level,
            LevelCounts composition,
            List<Neighbour> neighbours) {}

    /** How many of the neighbours are of each level. */
    /** One labelled neighbour. */
    record Neighbour(String scanId, double distance, String label) {}

    private void index(Context ctx) {
        List<ModelIndex> models = new ArrayList<>();
        loop.indexes().forEach((key, ref) -> {
            LiveIndex.Built built = ref.index().built();
            LevelCounts counts = ref.counts();
            models.add(new ModelIndex(
                    ref.modelId(),
                    ref.modelVersion(),
                    ref.size(),
                    counts.healthy(),
                    counts.infected(),
                    counts.severe(),
                    built.version(),
                    built.forest().size(),
                    ref.index().fresh(),
                    built.builtAt().toString(),
                    built.buildTime().toMillis()));
        });
        ctx.json(new Status(
                config.k(),
                config.trees(),
                config.effectiveSearchK(),
                config.metric().name().toLowerCase(Locale.ROOT),
                loop.healthy(),
                loop.answering(),
                loop.counts(),
                models));
    }

    private void scanNeighbours(Context ctx) {
        String scanId = ctx.pathParam("scanId");
        Answering.Query q = loop.queryOf(scanId);
        if (q == null) {
            ctx.status(404).json(Map.of("error", "scan " + scanId + " has not been scored by this indexer"));
            return;
        }
        int k = parseK(ctx);
        if (k < 0) {
            return;
        }
        ReferenceIndex ref = loop.indexes().get(q.modelKey());
        ctx.json(neighbours(ref, q.vector(), q.patient(), k));
    }

    private void search(Context ctx) {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            ctx.status(400).json(Map.of("error", "body is not JSON: " + e.getMessage()));
            return;
        }
        JsonNode vector = body.path("vector");
        String model = body.path("model").asText(null);
        ReferenceIndex ref = model == null && loop.indexes().size() == 1
                ? loop.indexes().values().iterator().next()
                : model == null ? null : loop.indexes().get(model);
        if (ref == null) {
            ctx.status(400)
                    .json(Map.of(
                            "error",
                            "field 'model' must name one of " + loop.indexes().keySet()));
            return;
        }
        if (!vector.isArray() || vector.size() != ref.dim()) {
            ctx.status(400)
                    .json(Map.of(
                            "error",
                            "field 'vector' must be an array of " + ref.dim() + " numbers, got "
                                    + (vector.isArray()
                                            ? vector.size() + " values"
                                            : vector.getNodeType().toString())));
            return;
        }
        float[] v = new float[vector.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) vector.get(i).asDouble();
        }
        int k = body.path("k").asInt(config.k());
        if (k < 1 || k > 1000) {
            ctx.status(400).json(Map.of("error", "field 'k' = " + k + " is outside [1, 1000]"));
            return;
        }
        ctx.json(neighbours(ref, v, null, k));
    }

    private int parseK(Context ctx) {
        String raw = ctx.queryParam("k");
        try {
            int k = raw == null ? config.k() : Integer.parseInt(raw);
            if (k >= 1 && k <= 1000) {
                return k;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        ctx.status(400).json(Map.of("error", "query parameter k='" + raw + "' is not an integer in [1, 1000]"));
        return -1;
    }

    private Answer neighbours(ReferenceIndex ref, float[] v, String excludedPatient, int k) {
        ReferenceIndex.Scored scored =
                ref.score(v, excludedPatient, k, Math.max(config.effectiveSearchK(), k), ref.scoring(config.scoring()));
        Scoring.Score score = scored.score();
        return new Answer(
                ref.modelId(),
                ref.modelVersion(),
                ref.index().built().version(),
                score.score(),
                score.level().name(),
                score.composition(),
                scored.neighbours().stream()
                        .map(n -> new Neighbour(
                                n.scanId(), n.distance(), n.label().name()))
                        .toList());
    }

    @Override
    protected void stopParts() {
        IndexerLoop l = loop;
        if (l != null) {
            l.stop();
            l.indexes().values().forEach(ReferenceIndex::close);
        }
    }
}
