package io.xraydrift.drift;

import io.xraydrift.drift.rule.BaselineSignal;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.drift.topology.DriftTopology;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.config.StateDirs;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.score.LevelThresholds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
    /**
     * Rise-from-baseline defaults, chosen by cross-validation on the 27 real series of
     * {@code ../shared/real-cxr/dev} with the bundled model (docs/real-data.md, "Drift on real series").
     */
    public static final double DEFAULT_BASELINE_JUMP = 0.225;

    public static final double DEFAULT_BASELINE_DRIFT = 0.0;

    public static final BaselineSignal DEFAULT_BASELINE_ON = BaselineSignal.AXIS;
    /** The peer secret in demo mode. */
    static final String DEMO_PEER_TOKEN = "demo-peer-token-not-for-real-patients";

    /** The level thresholds: the indexer's keys, shared (the former XRAY_DRIFT_* keys are still read). */
    public static final ConfigKey<Double> INFECTED_THRESHOLD = LevelThresholds.INFECTED;

    public static final ConfigKey<Double> SEVERE_THRESHOLD = LevelThresholds.SEVERE;
    public static final ConfigKey<Double> HYSTERESIS = ConfigKey.decimal(
            "XRAY_DRIFT_HYSTERESIS", 0.05, 0.0, 0.5, "margin below a threshold that counts as improvement");
    public static final ConfigKey<Integer> WORSENING_WINDOW = ConfigKey.integer(
            "XRAY_DRIFT_WORSENING_WINDOW", 4, 2, 100, "scans the sustained-worsening rule looks back over");
    public static final ConfigKey<Double> WORSENING_RISE = ConfigKey.decimal(
            "XRAY_DRIFT_WORSENING_RISE",
            0.15,
            0.0,
            1.0,
            "score rise over the window that counts as sustained worsening");
    public static final ConfigKey<Integer> CONFIRM_SCANS = ConfigKey.integer(
            "XRAY_DRIFT_CONFIRM_SCANS",
            2,
            1,
            10,
            "consecutive scans at a higher level needed to escalate (a single spike does not page)");
    public static final ConfigKey<Double> BASELINE_JUMP = ConfigKey.decimal(
            "XRAY_DRIFT_BASELINE_JUMP",
            DEFAULT_BASELINE_JUMP,
            0.0,
            1.0,
            "rise above the patient's baseline scan (on `XRAY_DRIFT_BASELINE_ON`) that raises BASELINE_RISE at once "
                    + "(0 = off); the default is the margin chosen for the bundled model by cross-validation on the "
                    + "real series, above its measured noise (docs/real-data.md)");
    public static final ConfigKey<Double> BASELINE_DRIFT = ConfigKey.decimal(
                    "XRAY_DRIFT_BASELINE_DRIFT",
                    DEFAULT_BASELINE_DRIFT,
                    0.0,
                    1.0,
                    "smaller rise above the baseline that raises BASELINE_RISE once `XRAY_DRIFT_CONFIRM_SCANS` scans "
                            + "in a row show it (0 = off; not above the jump)")
            .shownAs("`0` (off)");
    public static final ConfigKey<BaselineSignal> BASELINE_ON = ConfigKey.choice(
            "XRAY_DRIFT_BASELINE_ON",
            DEFAULT_BASELINE_ON,
            "what the rise from the baseline is measured on: `axis` (the scan's position on the indexer's "
                    + "healthy-to-severe grade axis, the event's `axisPosition`) or `score`; levels always follow the "
                    + "score. The default was chosen with the jump by cross-validation on the real series");
    public static final ConfigKey<Integer> STANDBY_REPLICAS =
            ConfigKey.integer("XRAY_DRIFT_STANDBY_REPLICAS", 0, 0, 10, "Kafka Streams standby replicas");
    public static final ConfigKey<Integer> EVIDENCE_SCANS = ConfigKey.integer(
            "XRAY_DRIFT_EVIDENCE_SCANS",
            DriftTopology.Limits.DEFAULT.evidenceScans(),
            1,
            100_000,
            "newest scans per patient whose 36 neighbours the state keeps (alerted scans keep theirs for the alert "
                    + "retention)");
    public static final ConfigKey<Duration> ALERT_RETENTION = ConfigKey.duration(
            "XRAY_DRIFT_ALERT_RETENTION",
            DriftTopology.Limits.DEFAULT.alertRetention(),
            Duration.ofMinutes(1),
            Duration.ofDays(3650),
            "how long `GET /alerts` finds an alert and the patient's state keeps its evidence (the alert stays on "
                    + "`xray.alerts`; its id stays with the patient)");
    public static final ConfigKey<Path> STATE_DIR = ConfigKey.path(
            "XRAY_DRIFT_STATE_DIR",
            StateDirs.defaultFor(SERVICE),
            StateDirs.shown(SERVICE),
            "Kafka Streams state (RocksDB)");
    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.string(
            "XRAY_DRIFT_APPLICATION_ID",
            ServiceAccess.DRIFT_MONITOR.prefix(),
            "Kafka Streams application id (group, internal topic prefix)");
    /** Unset: the HTTP host, or the instance id when that binds every address. */
    public static final ConfigKey<Optional<String>> ADVERTISED_HOST = ConfigKey.optional(
                    "XRAY_ADVERTISED_HOST", "host other drift-monitor instances reach this one at (query routing)")
            .shownAs("`XRAY_HTTP_HOST`, or the instance id when that is `0.0.0.0`");

    public static final ConfigKey<String> PEER_TOKEN = ConfigKey.secret(
            "XRAY_DRIFT_PEER_TOKEN",
            DEMO_PEER_TOKEN,
            "drift monitor instances present it to each other when they route a query",
            "secret drift-monitor instances present to each other when they route a query or gather alerts (24+ "
                    + "characters, not the API token)");
    /** Unset: this instance's advertised host alone. */
    public static final ConfigKey<Optional<String>> PEERS = ConfigKey.optional(
                    "XRAY_DRIFT_PEERS",
                    "hosts (`host` or `host:port`, comma-separated) an instance routes queries to; a group member "
                            + "advertising any other address is never called")
            .shownAs("this instance's advertised host");

    public static final ConfigKey<String> API_TOKEN = ConfigKey.apiToken(
            "XRAY_API_TOKEN",
            "the query API and web view need a bearer token outside demo mode",
            "bearer token of the trajectory/alerts API and the web view");

    /** The drift monitor's keys, in the guide's order. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            INFECTED_THRESHOLD,
            SEVERE_THRESHOLD,
            HYSTERESIS,
            WORSENING_WINDOW,
            WORSENING_RISE,
            CONFIRM_SCANS,
            BASELINE_JUMP,
            BASELINE_DRIFT,
            BASELINE_ON,
            STANDBY_REPLICAS,
            EVIDENCE_SCANS,
            ALERT_RETENTION,
            STATE_DIR,
            APPLICATION_ID,
            ADVERTISED_HOST,
            PEER_TOKEN,
            PEERS,
            API_TOKEN);

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
        double jump = BASELINE_JUMP.from(s);
        double drift = BASELINE_DRIFT.from(s);
        if (jump > 0 && drift > jump) {
            throw new ConfigException(BASELINE_DRIFT + "=" + drift + " must not be above " + BASELINE_JUMP + "=" + jump
                    + " (the smaller rise waits for confirmation, the larger alerts at once; 0 switches either off)");
        }
        return new DriftRule(
                levels.infected(),
                levels.severe(),
                HYSTERESIS.from(s),
                WORSENING_WINDOW.from(s),
                WORSENING_RISE.from(s),
                CONFIRM_SCANS.from(s),
                jump,
                drift,
                BASELINE_ON.from(s));
    }

    public static DriftMonitorConfig from(Settings s) {
        DriftRule rule = ruleFrom(s);
        ServiceConfig common = ServiceConfig.from(s, SERVICE, DEFAULT_PORT);
        String bound = common.httpHost();
        String advertised = ADVERTISED_HOST
                .from(s)
                .orElse(bound.equals("0.0.0.0") || bound.equals("::") ? common.instanceId() : bound);
        int standby = STANDBY_REPLICAS.from(s);
        Path stateDir = STATE_DIR.from(s);
        String applicationId = APPLICATION_ID.from(s);
        int evidenceScans = EVIDENCE_SCANS.from(s);
        Duration alertRetention = ALERT_RETENTION.from(s);
        String apiToken = API_TOKEN.from(s);
        String peerToken = PEER_TOKEN.from(s);
        if (!s.demoMode() && (peerToken.length() < Settings.MIN_TOKEN_LENGTH || peerToken.equals(apiToken))) {
            throw new ConfigException(PEER_TOKEN + " must be at least "
                    + Settings.MIN_TOKEN_LENGTH + " characters and differ from " + API_TOKEN + " (it is "
                    + peerToken.length() + " characters"
                    + (peerToken.equals(apiToken) ? ", the same as the API token" : "") + ")");
        }
        Set<String> peers = PEERS.from(s)
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
