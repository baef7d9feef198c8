package io.xraydrift.schemas;

import io.xraydrift.events.AuditEvent;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.events.SealedIdentifiers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every topic of the pipeline, declared once with its settings. Patient-level topics are keyed by
 * the patient pseudonym so one patient's scans stay ordered in one partition.
 */
public final class Topics {

    private static final String DELETE = TopicConfig.CLEANUP_POLICY_DELETE;
    private static final int MIB = 1024 * 1024;

    /** Feeds publish here; the only topic that carries a raw patient identifier (read by ingest alone). */
    public static final Topic<ScanIntake> INTAKE = new Topic<>(
            "xray.scans.intake",
            ScanIntake.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    days(7),
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    bytes(24 * MIB)),
            "scans as hospital feeds publish them (raw patient id; read by ingest only)");

    /** Validated, normalised, pseudonymised scans. */
    public static final Topic<ScanReceived> SCANS = new Topic<>(
            "xray.scans",
            ScanReceived.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    days(30),
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    bytes(8 * MIB)),
            "normalised, pseudonymised scans from ingest");

    /** The durable store of vectors: an indexer rebuilds its forest from a snapshot plus this topic. */
    public static final Topic<ScanEmbedded> EMBEDDINGS = new Topic<>(
            "xray.embeddings",
            ScanEmbedded.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    "-1",
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    bytes(MIB)),
            "one vector per scan and model version (kept forever: the index is rebuilt from it)");

    /** Each scan's nearest labelled neighbours and severity score. */
    public static final Topic<ScanNeighbours> NEIGHBOURS = new Topic<>(
            "xray.neighbours",
            ScanNeighbours.class,
            6,
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, DELETE, TopicConfig.RETENTION_MS_CONFIG, days(90)),
            "k nearest labelled neighbours and severity score per scan");

    /** Drift alerts with their evidence. */
    public static final Topic<DriftAlert> ALERTS = new Topic<>(
            "xray.alerts",
            DriftAlert.class,
            6,
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, DELETE, TopicConfig.RETENTION_MS_CONFIG, "-1"),
            "drift alerts and recoveries with evidence (kept forever)");

    /** Latest trajectory per patient. */
    public static final Topic<PatientTrajectory> TRAJECTORIES = new Topic<>(
            "xray.trajectories",
            PatientTrajectory.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                    String.valueOf(Duration.ofMinutes(1).toMillis())),
            "latest scored trajectory per patient (compacted)");

    /** Small previews of every scan, for the web view's neighbour grid. */
    public static final Topic<ScanThumbnail> THUMBNAILS = new Topic<>(
            "xray.thumbnails",
            ScanThumbnail.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                    String.valueOf(Duration.ofMinutes(1).toMillis())),
            "small PNG preview per scan for the web view (compacted, keyed by scanId)");

    /** Input a stage refused, with the reason. */
    public static final Topic<DeadLetter> DEAD_LETTER = new Topic<>(
            "xray.deadletter",
            DeadLetter.class,
            3,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    days(30),
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    bytes(24 * MIB)),
            "refused input with stage, reason and original bytes");

    /** Who asked for a patient's pseudonym, and what they were told: the audit trail of lookups. */
    public static final Topic<AuditEvent> AUDIT = new Topic<>(
            "xray.audit",
            AuditEvent.class,
            3,
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, DELETE, TopicConfig.RETENTION_MS_CONFIG, "-1"),
            "audit trail of pseudonym lookups: who asked, on whose behalf, what was answered (kept forever)");

    /**
     * The hospital's identifiers of each scan, sealed (AES-GCM) for alert-out alone, which files
     * results against the order with them; written only when re-identification is switched on.
     */
    public static final Topic<SealedIdentifiers> REIDENTIFICATION = new Topic<>(
            "xray.reidentification",
            SealedIdentifiers.class,
            6,
            Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                    String.valueOf(Duration.ofMinutes(1).toMillis())),
            "each scan's patient id and accession number, sealed for alert-out (compacted, keyed by scanId; only with re-identification on)");

    private static final List<Topic<?>> ALL = List.of(
            INTAKE,
            SCANS,
            THUMBNAILS,
            EMBEDDINGS,
            NEIGHBOURS,
            ALERTS,
            TRAJECTORIES,
            DEAD_LETTER,
            AUDIT,
            REIDENTIFICATION);

    private Topics() {}

    /** All topics in flow order. */
    public static List<Topic<?>> all() {
        return ALL;
    }

    /** The declared topic of that name. */
    public static Optional<Topic<?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private static String days(int n) {
        return String.valueOf(Duration.ofDays(n).toMillis());
    }

    private static String bytes(int n) {
        return String.valueOf(n);
    }
}
