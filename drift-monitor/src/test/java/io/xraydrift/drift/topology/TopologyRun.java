package io.xraydrift.drift.topology;

import io.xraydrift.drift.SyntheticScans;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientTrajectory;
import io.xraydrift.events.ScanNeighbours;
import io.xraydrift.schemas.Topics;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A drift topology in {@link TopologyTestDriver} with the pipeline's topics: scored scans in (as
 * events or raw bytes); alerts, trajectories and dead letters out, each through the given serdes.
 */
final class TopologyRun implements AutoCloseable {

    final TopologyTestDriver driver;
    final TestInputTopic<String, ScanNeighbours> in;
    final TestInputTopic<String, byte[]> raw;
    final TestOutputTopic<String, DriftAlert> alerts;
    final TestOutputTopic<String, PatientTrajectory> trajectories;
    final TestOutputTopic<String, DeadLetter> deadLetters;

    TopologyRun(
            Topology topology,
            Properties props,
            Serializer<ScanNeighbours> neighbours,
            Deserializer<DriftAlert> alertValues,
            Deserializer<PatientTrajectory> trajectoryValues,
            Deserializer<DeadLetter> deadLetterValues) {
        driver = new TopologyTestDriver(topology, props);
        in = driver.createInputTopic(Topics.NEIGHBOURS.name(), new StringSerializer(), neighbours);
        raw = driver.createInputTopic(Topics.NEIGHBOURS.name(), new StringSerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), new StringDeserializer(), alertValues);
        trajectories = driver.createOutputTopic(Topics.TRAJECTORIES.name(), new StringDeserializer(), trajectoryValues);
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(), new StringDeserializer(), deadLetterValues);
    }

    /** A scored scan, keyed by its patient as the indexer keys it. */
    void send(ScanNeighbours n) {
        in.pipeInput(n.getPatient(), n);
    }

    /** One scan of {@code patient} per score, in order; the alerts they raised. */
    List<DriftAlert> scores(String patient, double... scores) {
        for (int i = 0; i < scores.length; i++) {
            send(SyntheticScans.scan(patient, i, scores[i]));
        }
        return alerts.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
