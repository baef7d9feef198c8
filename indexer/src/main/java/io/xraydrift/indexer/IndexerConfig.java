package io.xraydrift.indexer;

import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.reference.Scoring;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.config.StateDirs;
import io.xraydrift.platform.score.LevelThresholds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The indexer's configuration.
 *
 * @param common          service name, HTTP port, Kafka and registry
 * @param k               labelled neighbours per scan (the study used 36)
 * @param trees           trees in the forest
 * @param searchK         nodes inspected per query; 0 = k * trees, Annoy's default
 * @param metric          distance between embeddings
 * @param snapshotDir     where forest snapshots are written and loaded from
 * @param rebuildFraction rebuild once vectors added since the last build exceed this fraction of the forest
 * @param rebuildInterval rebuild at least this often while new vectors arrive
 * @param snapshotInterval write snapshots this often (and at a clean stop)
 * @param scoring         thresholds and axis weight of the severity score
 * @param apiToken        bearer token of the query API
 * @param minCohort       labelled scans that make a model version's cohort complete; the newest complete
 *                        version answers alone (until one is complete, the first version seen answers)
 */
public record IndexerConfig(
        ServiceConfig common,
        int k,
        int trees,
        int searchK,
        Metric metric,
        Path snapshotDir,
        double rebuildFraction,
        Duration rebuildInterval,
        Duration snapshotInterval,
        Scoring scoring,
        String apiToken,
        int minCohort) {

    public static final String SERVICE = "indexer";
    public static final int DEFAULT_PORT = 8083;
    public static final ConfigKey<Integer> K =
            ConfigKey.integer("XRAY_INDEXER_K", 36, 1, 1000, "labelled neighbours per scan");
    public static final ConfigKey<Integer> TREES =
            ConfigKey.integer("XRAY_INDEXER_TREES", 20, 1, 1000, "trees in the forest");
    public static final ConfigKey<Integer> SEARCH_K = ConfigKey.integer(
                    "XRAY_INDEXER_SEARCH_K", 0, 0, Integer.MAX_VALUE, "nodes inspected per query (0: k × trees)")
            .shownAs("`k × trees`");
    public static final ConfigKey<Metric> METRIC =
            ConfigKey.choice("XRAY_INDEXER_METRIC", Metric.ANGULAR, "`angular` or `euclidean`");
    public static final ConfigKey<Path> SNAPSHOT_DIR = ConfigKey.path(
            "XRAY_INDEXER_SNAPSHOT_DIR", StateDirs.defaultFor(SERVICE), StateDirs.shown(SERVICE), "forest snapshots");
    public static final ConfigKey<Double> REBUILD_FRACTION = ConfigKey.decimal(
            "XRAY_INDEXER_REBUILD_FRACTION",
            0.1,
            0.001,
            100.0,
            "rebuild when fresh vectors exceed this fraction of the forest");
    public static final ConfigKey<Duration> REBUILD_INTERVAL = ConfigKey.duration(
            "XRAY_INDEXER_REBUILD_INTERVAL",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(7),
            "rebuild at least this often while vectors arrive");
    public static final ConfigKey<Duration> SNAPSHOT_INTERVAL = ConfigKey.duration(
            "XRAY_INDEXER_SNAPSHOT_INTERVAL",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(7),
            "how often the forest is written to its snapshot");
    public static final ConfigKey<Double> INFECTED_THRESHOLD = LevelThresholds.INFECTED;
    public static final ConfigKey<Double> SEVERE_THRESHOLD = LevelThresholds.SEVERE;
    public static final ConfigKey<Double> AXIS_WEIGHT = ConfigKey.decimal(
            "XRAY_SCORE_AXIS_WEIGHT",
            0.3,
            0.0,
            1.0,
            "weight of the scan's position on the grade axis in its score (the grade a ridge fit of the labelled "
                    + "scans' grades on their vectors gives it; the rest: its neighbours' mean grade)");
    public static final ConfigKey<Integer> MIN_COHORT = ConfigKey.of(
            "XRAY_INDEXER_MIN_COHORT",
            "`k`",
            "labelled scans a model version needs before it answers (set it to the cohort's size)",
            (s, n) -> s.integer(n, K.from(s), 1, Integer.MAX_VALUE));
    public static final ConfigKey<String> API_TOKEN = ConfigKey.apiToken(
            "XRAY_API_TOKEN",
            "the query API needs a bearer token outside demo mode",
            "bearer token of `GET /index`, `GET /scans/{scanId}/neighbours` and `POST /search`");
    public static final ConfigKey<Boolean> DEMO_MODE = Settings.DEMO_MODE;

    /** The indexer's keys, in the guide's order. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            K,
            TREES,
            SEARCH_K,
            METRIC,
            SNAPSHOT_DIR,
            REBUILD_FRACTION,
            REBUILD_INTERVAL,
            SNAPSHOT_INTERVAL,
            INFECTED_THRESHOLD,
            SEVERE_THRESHOLD,
            AXIS_WEIGHT,
            MIN_COHORT,
            API_TOKEN);

    public static IndexerConfig from(Settings s) {
        return new IndexerConfig(
                ServiceConfig.from(s, SERVICE, DEFAULT_PORT),
                K.from(s),
                TREES.from(s),
                SEARCH_K.from(s),
                METRIC.from(s),
                SNAPSHOT_DIR.from(s),
                REBUILD_FRACTION.from(s),
                REBUILD_INTERVAL.from(s),
                SNAPSHOT_INTERVAL.from(s),
                scoring(s),
                API_TOKEN.from(s),
                MIN_COHORT.from(s));
    }

    /**
     * The severity score these settings describe, reading only its keys (no secrets): what
     * {@code evaluate} and {@code crossval} score with, so they score as the indexer does.
     */
    public static Scoring scoring(Settings s) {
        return new Scoring(LevelThresholds.from(s), AXIS_WEIGHT.from(s), !LevelThresholds.configured(s));
    }

    /** The effective search_k. */
    public int effectiveSearchK() {
        return searchK > 0 ? searchK : k * trees;
    }
}
