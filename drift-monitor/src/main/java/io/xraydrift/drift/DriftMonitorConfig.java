package io.xraydrift.drift;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.topology.DriftTopology;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.config.StateDirs;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.score.LevelThresholds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The drift monitor's configuration: level thresholds on the severity score, the worsening rule
 * and the Streams runtime.
 *
 * @param common            service name, HTTP port, Kafka and registry
 * @param rule              the drift rule: level thresholds, hysteresis, worsening window and rise,
 *                          confirmation, rise from the patient's baseline
 * @param standbyReplicas   Kafka Streams standby replicas of the per-patient store
 * @param stateDir          Kafka Streams state directory (RocksDB)
 * @param applicationId     Kafka Streams application id (consumer group, internal topic prefix)
 * @param advertisedHost    host other instances reach this one's HTTP endpoint at (query routing)
 * @param apiToken          bearer token of the query API and web view
 * @param peerToken         secret instances present to each other when they route a query (never the API token)
 * @param peers             hosts ({@code host} or {@code host:port}) this instance routes queries to; another
 *                          group member advertising any other address is not called
 * @param evidenceScans     newest scans per patient whose 36 neighbours the state keeps (older
 *                          scans keep id, time, score, composition, model and index version; a
 *                          scan that raised an alert keeps its neighbours)
 * @param alertRetention    how long {@code GET /alerts} can find an alert (its by-time store)
 */
public record DriftMonitorConfig(
        ServiceConfig common,
        DriftRule rule,
        int standbyReplicas,
        Path stateDir,
        String applicationId,
        String advertisedHost,
        String apiToken,
        int evidenceScans,
        Duration alertRetention,
        String peerToken,
        Set<String> peers,
        boolean modelLevels) {

    public static final String SERVICE = "drift-monitor";
    public static final int DEFAULT_PORT = 8084;
    /** The level thresholds: the indexer's keys, shared (the former XRAY_DRIFT_* keys are still read). */
    public static final String INFECTED_THRESHOLD = LevelThresholds.INFECTED;

    public static final String SEVERE_THRESHOLD = LevelThresholds.SEVERE;
    public static final String HYSTERESIS = "XRAY_DRIFT_HYSTERESIS";
    public static final String WORSENING_WINDOW = "XRAY_DRIFT_WORSENING_WINDOW";
    public static final String WORSENING_RISE = "XRAY_DRIFT_WORSENING_RISE";
    public static final String CONFIRM_SCANS = "XRAY_DRIFT_CONFIRM_SCANS";
    public static final String BASELINE_JUMP = "XRAY_DRIFT_BASELINE_JUMP";
    public static final String BASELINE_DRIFT = "XRAY_DRIFT_BASELINE_DRIFT";
    /**
     * Rise-from-baseline defaults, chosen by cross-validation on the 27 real series of
     * {@code ../shared/real-cxr/dev} with the bundled model (docs/real-data.md, "Drift on real series").
     */
    public static final double DEFAULT_BASELINE_JUMP = 0.125;

    public static final double DEFAULT_BASELINE_DRIFT = 0.0;
    public static final String STANDBY_REPLICAS = "XRAY_DRIFT_STANDBY_REPLICAS";
    public static final String STATE_DIR = "XRAY_DRIFT_STATE_DIR";
    public static final String APPLICATION_ID = "XRAY_DRIFT_APPLICATION_ID";
    public static final String ADVERTISED_HOST = "XRAY_ADVERTISED_HOST";
    public static final String API_TOKEN = "XRAY_API_TOKEN";
    public static final String PEER_TOKEN = "XRAY_DRIFT_PEER_TOKEN";
    public static final String PEERS = "XRAY_DRIFT_PEERS";
    /** The peer secret in demo mode. */
    static final String DEMO_PEER_TOKEN = "demo-peer-token-not-for-real-patients";

    public static final String EVIDENCE_SCANS = "XRAY_DRIFT_EVIDENCE_SCANS";
    public static final String ALERT_RETENTION = "XRAY_DRIFT_ALERT_RETENTION";

    /** What the topology's state keeps. */
    public DriftTopology.Limits limits() {
        return new DriftTopology.Limits(evidenceScans, alertRetention);
    }

    /**
     * The drift rule the settings describe, reading only its keys (no secrets): what the
     * evaluation and tests use to apply the deployment's thresholds.
     */
    public static DriftRule ruleFrom(Settings s) {
        LevelThresholds levels = LevelThresholds.from(s);
        double jump = s.decimal(BASELINE_JUMP, DEFAULT_BASELINE_JUMP, 0.0, 1.0);
        double drift = s.decimal(BASELINE_DRIFT, DEFAULT_BASELINE_DRIFT, 0.0, 1.0);
        if (jump > 0 && drift > jump) {
            throw new ConfigException(BASELINE_DRIFT + "=" + drift + " must not be above " + BASELINE_JUMP + "=" + jump
                    + " (the smaller rise waits for confirmation, the larger alerts at once; 0 switches either off)");
        }
        return new DriftRule(
                levels.infected(),
                levels.severe(),
                s.decimal(HYSTERESIS, 0.05, 0.0, 0.5),
                s.integer(WORSENING_WINDOW, 4, 2, 100),
                s.decimal(WORSENING_RISE, 0.15, 0.0, 1.0),
                s.integer(CONFIRM_SCANS, 2, 1, 10),
                jump,
                drift);
    }

    public static DriftMonitorConfig from(Settings s) {
        DriftRule rule = ruleFrom(s);
        ServiceConfig common = ServiceConfig.from(s, SERVICE, DEFAULT_PORT);
        String bound = common.httpHost();
        String advertised =
                s.string(ADVERTISED_HOST, bound.equals("0.0.0.0") || bound.equals("::") ? common.instanceId() : bound);
        int standby = s.integer(STANDBY_REPLICAS, 0, 0, 10);
        Path stateDir = s.path(STATE_DIR, StateDirs.defaultFor("drift-monitor"));
        String applicationId = s.string(APPLICATION_ID, ServiceAccess.DRIFT_MONITOR.prefix());
        int evidenceScans = s.integer(EVIDENCE_SCANS, DriftTopology.Limits.DEFAULT.evidenceScans(), 1, 100_000);
        Duration alertRetention = s.duration(
                ALERT_RETENTION,
                DriftTopology.Limits.DEFAULT.alertRetention(),
                Duration.ofMinutes(1),
                Duration.ofDays(3650));
        String apiToken = s.apiToken(API_TOKEN, "the query API and web view need a bearer token outside demo mode");
        String peerToken = s.demoMode()
                ? s.string(PEER_TOKEN, DEMO_PEER_TOKEN)
                : s.optional(PEER_TOKEN)
                        .orElseThrow(() -> new ConfigException(PEER_TOKEN + " is not set: drift "
                                + "monitor instances present it to each other when they route a query (set "
                                + Settings.DEMO_MODE + "=true for a demo)"));
        if (!s.demoMode() && (peerToken.length() < Settings.MIN_TOKEN_LENGTH || peerToken.equals(apiToken))) {
            throw new ConfigException(PEER_TOKEN + " must be at least "
                    + Settings.MIN_TOKEN_LENGTH + " characters and differ from " + API_TOKEN + " (it is "
                    + peerToken.length() + " characters"
                    + (peerToken.equals(apiToken) ? ", the same as the API token" : "") + ")");
        }
        Set<String> peers = s.optional(PEERS)
                .map(v -> Arrays.stream(v.split("\\s*,\\s*"))
                        .filter(p -> !p.isBlank())
                        .map(p -> p.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toUnmodifiableSet()))
                .orElse(Set.of(advertised.toLowerCase(Locale.ROOT)));
        return new DriftMonitorConfig(
                common,
                rule,
                standby,
                stateDir,
                applicationId,
                advertised,
                apiToken,
                evidenceScans,
                alertRetention,
                peerToken,
                peers,
                !LevelThresholds.configured(s));
    }

    /** Whether an instance advertising this address may be called with a routed query. */
    public boolean isPeer(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return peers.contains(h) || peers.contains(h + ":" + port);
    }
}
