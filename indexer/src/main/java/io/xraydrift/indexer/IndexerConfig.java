package io.xraydrift.indexer;

import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.service.Scoring;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.config.StateDirs;
import io.xraydrift.platform.score.LevelThresholds;
import java.nio.file.Path;
import java.time.Duration;

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
    public static final String K = "XRAY_INDEXER_K";
    public static final String TREES = "XRAY_INDEXER_TREES";
    public static final String SEARCH_K = "XRAY_INDEXER_SEARCH_K";
    public static final String METRIC = "XRAY_INDEXER_METRIC";
    public static final String SNAPSHOT_DIR = "XRAY_INDEXER_SNAPSHOT_DIR";
    public static final String REBUILD_FRACTION = "XRAY_INDEXER_REBUILD_FRACTION";
    public static final String REBUILD_INTERVAL = "XRAY_INDEXER_REBUILD_INTERVAL";
    public static final String SNAPSHOT_INTERVAL = "XRAY_INDEXER_SNAPSHOT_INTERVAL";
    public static final String INFECTED_THRESHOLD = LevelThresholds.INFECTED;
    public static final String SEVERE_THRESHOLD = LevelThresholds.SEVERE;
    public static final String AXIS_WEIGHT = "XRAY_SCORE_AXIS_WEIGHT";
    public static final String API_TOKEN = "XRAY_API_TOKEN";
    public static final String MIN_COHORT = "XRAY_INDEXER_MIN_COHORT";
    public static final String DEMO_MODE = Settings.DEMO_MODE;

    public static IndexerConfig from(Settings s) {
        int k = s.integer(K, 36, 1, 1000);
        return new IndexerConfig(
                ServiceConfig.from(s, SERVICE, DEFAULT_PORT),
                k,
                s.integer(TREES, 20, 1, 1000),
                s.integer(SEARCH_K, 0, 0, Integer.MAX_VALUE),
                s.choice(METRIC, Metric.ANGULAR),
                s.path(SNAPSHOT_DIR, StateDirs.defaultFor("indexer")),
                s.decimal(REBUILD_FRACTION, 0.1, 0.001, 100.0),
                s.duration(REBUILD_INTERVAL, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(7)),
                s.duration(SNAPSHOT_INTERVAL, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(7)),
                scoring(s),
                s.apiToken(API_TOKEN, "the query API needs a bearer token outside demo mode"),
                s.integer(MIN_COHORT, k, 1, Integer.MAX_VALUE));
    }

    /**
     * The severity score these settings describe, reading only its keys (no secrets): what
     * {@code evaluate} and {@code crossval} score with, so they score as the indexer does.
     */
    public static Scoring scoring(Settings s) {
        return new Scoring(
                LevelThresholds.from(s), s.decimal(AXIS_WEIGHT, 0.3, 0.0, 1.0), !LevelThresholds.configured(s));
    }

    /** The effective search_k. */
    public int effectiveSearchK() {
        return searchK > 0 ? searchK : k * trees;
    }
}
