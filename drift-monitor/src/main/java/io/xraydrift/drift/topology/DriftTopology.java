package io.xraydrift.drift.topology;

import io.xraydrift.drift.rule.DriftRule;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The drift monitor's topology, built with no I/O: {@code xray.neighbours} (keyed by patient
 * pseudonym) → per-patient processor with its RocksDB store → {@code xray.alerts},
 * {@code xray.trajectories} (compacted) and {@code xray.deadletter}; plus a global store of
 * {@code xray.thumbnails} for the web view.
 */
public final class DriftTopology {

    static final String SOURCE = "neighbours";
    static final String PROCESSOR = "patient-drift";
    static final String ALERTS_SINK = "alerts";
    static final String TRAJECTORIES_SINK = "trajectories";
    static final String DEAD_LETTER_SINK = "dead-letter";

    /**
     * The serdes the topology reads and writes events with (in production the registry's Avro
     * serdes: {@code EventSerdes.values(topic)}).
     */
    public record Codecs(
            Serde<ScanNeighbours> neighbours,
            Serde<DriftAlert> alerts,
            Serde<PatientTrajectory> trajectories,
            Serde<DeadLetter> deadLetters) {}

    private DriftTopology() {}

    /**
     * What the state keeps.
     *
     * @param evidenceScans  newest scans per patient whose neighbours the state keeps (see
     *                       {@link Trajectories#keepEvidence})
     * @param alertRetention how long the alerts-by-time store behind {@code GET /alerts} keeps an
     *                       alert (the alert stays on {@code xray.alerts} and in the patient's state)
     */
    public record Limits(int evidenceScans, Duration alertRetention) {
        public static final Limits DEFAULT = new Limits(32, Duration.ofDays(90));
    }

    public static Topology build(DriftRule rule, Limits limits, Codecs serdes) {
        return build(rule, limits, serdes, false);
    }

    /**
     * The topology; with {@code modelLevels} a scan's model's own fitted level thresholds (carried in
     * its model reference) replace the rule's for its patient's assessment.
     */
    public static Topology build(DriftRule rule, Limits limits, Codecs serdes, boolean modelLevels) {
        Serde<String> keys = Serdes.String();
        Topology t = new Topology();
        t.addSource(SOURCE, keys.deserializer(), serdes.neighbours().deserializer(), Topics.NEIGHBOURS.name());
        t.addProcessor(
                PROCESSOR,
                () -> new PatientProcessor(rule, limits, serdes.neighbours().serializer(), modelLevels),
                SOURCE);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(StoreNames.PATIENTS), keys, StoreSerdes.patientState()),
                PROCESSOR);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(StoreNames.ALERTS), keys, StoreSerdes.alert()),
                PROCESSOR);
        t.addSink(
                ALERTS_SINK,
                Topics.ALERTS.name(),
                keys.serializer(),
                serdes.alerts().serializer(),
                PROCESSOR);
        t.addSink(
                TRAJECTORIES_SINK,
                Topics.TRAJECTORIES.name(),
                keys.serializer(),
                serdes.trajectories().serializer(),
                PROCESSOR);
        t.addSink(
                DEAD_LETTER_SINK,
                Topics.DEAD_LETTER.name(),
                keys.serializer(),
                serdes.deadLetters().serializer(),
                PROCESSOR);
        // Thumbnails are kept as the topic's bytes and decoded when the web view asks for one.
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(StoreNames.THUMBNAILS), keys, Serdes.ByteArray())
                        .withLoggingDisabled(),
                "thumbnails-source",
                keys.deserializer(),
                Serdes.ByteArray().deserializer(),
                Topics.THUMBNAILS.name(),
                "thumbnails-loader",
                ThumbnailLoader::new);
        return t;
    }

    /** Keeps the global thumbnail store equal to the compacted topic. */
    private static final class ThumbnailLoader implements Processor<String, byte[], Void, Void> {
        private KeyValueStore<String, byte[]> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(StoreNames.THUMBNAILS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }
}
