package io.xraydrift.drift.topology;

import io.xraydrift.drift.rule.Alert;
import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.events.SourceRecordRef;
import io.xraydrift.events.TrackedScan;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One patient's scored scan in, the patient's alerts and trajectory out. The scan is slotted into
 * the patient's state by acquisition time (a repeated scanId is ignored), the drift rule replays the
 * history, and only alerts whose deterministic ids were not emitted before leave — so a late scan
 * recomputes the trajectory without re-alerting, and a replay after a crash (exactly-once) neither
 * repeats nor loses one. The rule sees every score; the state keeps neighbours only for the newest
 * scans and the alerted ones, so a long history stays small (see {@link Trajectories#keepEvidence}).
 */
final class PatientProcessor implements Processor<String, ScanNeighbours, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(PatientProcessor.class);

    private final DriftRule configured;
    private final boolean modelLevels;
    private final DriftTopology.Limits limits;
    private final Serializer<ScanNeighbours> original;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PatientState> patients;
    private KeyValueStore<String, DriftAlert> alertsByTime;

    PatientProcessor(
            DriftRule rule, DriftTopology.Limits limits, Serializer<ScanNeighbours> original, boolean modelLevels) {
        this.configured = rule;
        this.modelLevels = modelLevels;
        this.limits = limits;
        this.original = original;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.patients = context.getStateStore(StoreNames.PATIENTS);
        this.alertsByTime = context.getStateStore(StoreNames.ALERTS);
        Duration every = limits.alertRetention().dividedBy(24).compareTo(Duration.ofHours(1)) < 0
                ? limits.alertRetention().dividedBy(24)
                : Duration.ofHours(1);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::expireAlerts);
    }

    /** Drops alerts older than the retention from the by-time store (their keys start with the time). */
    private void expireAlerts(long now) {
        String before = StoreNames.alertKeyFrom(now - limits.alertRetention().toMillis());
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, DriftAlert> old = alertsByTime.range(null, before)) {
            old.forEachRemaining(kv -> expired.add(kv.key));
        }
        expired.forEach(alertsByTime::delete);
        if (!expired.isEmpty()) {
            LOG.info("expired {} alerts older than {} from the by-time store", expired.size(), limits.alertRetention());
        }
    }

    @Override
    public void process(Record<String, ScanNeighbours> record) {
        ScanNeighbours n = record.value();
        if (n == null) {
            return;
        }
        String problem = Trajectories.invalid(record.key(), n);
        if (problem != null) {
            deadLetter(record, problem);
            return;
        }
        String patient = n.getPatient();
        PatientState state = patients.get(patient);
        if (state == null) {
            state = new PatientState(patient, List.of(), List.of());
        }
        if (state.getScans().stream().anyMatch(s -> s.getScanId().equals(n.getScanId()))) {
            return;
        }
        List<TrackedScan> scans = Trajectories.withScan(state.getScans(), Trajectories.tracked(n));
        DriftRule rule = modelLevels
                ? configured.withLevels(
                        n.getModel().getInfectedThreshold(), n.getModel().getSevereThreshold())
                : configured;
        DriftRule.Assessment assessment = rule.assess(patient, Trajectories.scored(scans));
        Set<String> emitted =
                state.getAlerts().stream().map(DriftAlert::getAlertId).collect(Collectors.toSet());
        Map<String, TrackedScan> byId =
                scans.stream().collect(Collectors.toMap(TrackedScan::getScanId, Function.identity()));
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        List<DriftAlert> alerts = new ArrayList<>(state.getAlerts());
        for (Alert a : assessment.alerts()) {
            if (emitted.contains(a.alertId())) {
                continue;
            }
            DriftAlert event = Trajectories.alert(patient, a, byId.get(a.scan().scanId()), now);
            alerts.add(event);
            alertsByTime.put(StoreNames.alertKey(now.toEpochMilli(), event.getAlertId()), event);
            context.forward(new Record<String, Object>(patient, event, record.timestamp()), DriftTopology.ALERTS_SINK);
        }
        alerts = Trajectories.retireEvidence(alerts, now.minus(limits.alertRetention()));
        List<TrackedScan> kept = Trajectories.keepEvidence(scans, limits.evidenceScans(), alerts);
        PatientState next = new PatientState(patient, kept, alerts);
        patients.put(patient, next);
        context.forward(
                new Record<String, Object>(
                        patient, Trajectories.trajectory(next, rule, assessment, now), record.timestamp()),
                DriftTopology.TRAJECTORIES_SINK);
    }

    private void deadLetter(Record<String, ScanNeighbours> record, String reason) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        byte[] bytes = original.serialize(Topics.NEIGHBOURS.name(), record.value());
        SourceRecordRef source =
                meta == null ? null : new SourceRecordRef(meta.topic(), meta.partition(), meta.offset());
        DeadLetter d = DeadLetters.of("drift-monitor", source, null, bytes, reason, null);
        LOG.warn("dead-lettered {}: {}", source, reason);
        context.forward(
                new Record<String, Object>(DeadLetters.key(d), d, record.timestamp()), DriftTopology.DEAD_LETTER_SINK);
    }
}
