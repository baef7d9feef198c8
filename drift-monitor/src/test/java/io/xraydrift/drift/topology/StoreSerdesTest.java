package io.xraydrift.drift.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.Composition;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.TrackedScan;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** State written before {@code Neighbour.severity} or {@code TrackedScan.axisPosition} existed still reads. */
class StoreSerdesTest {

    @Test
    void anAlertStoredByTheBuildBeforeNeighbourSeverityStillReads() throws Exception {
        DriftAlert alert = DriftAlert.newBuilder()
                .setAlertId("a-1")
                .setPatient("p")
                .setScanId("s")
                .setAcquiredAt(Instant.parse("2026-11-20T08:00:00Z"))
                .setKind(AlertKind.LEVEL_ESCALATION)
                .setFromLevel(Level.HEALTHY)
                .setToLevel(Level.INFECTED)
                .setScore(0.4)
                .setPreviousScores(List.of(0.1))
                .setEvidence(List.of(new Neighbour("r-1", 0.2f, Level.INFECTED, null)))
                .setModel(new ModelRef("m", "v", 256, null, null))
                .setIndexVersion(3)
                .setReason("r")
                .setCreatedAt(Instant.parse("2026-11-20T08:00:01Z"))
                .build();
        Schema old = StoreSerdes.without(DriftAlert.getClassSchema(), "Neighbour", "severity");
        assertEquals(
                3,
                old.getField("evidence").schema().getElementType().getFields().size(),
                "the old Neighbour has scanId, distance, label");
        // The same alert as the old build encoded it: written with today's schema, read into the old one.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(DriftAlert.class).write(alert, enc);
        enc.flush();
        GenericRecord asOld = new GenericDatumReader<GenericRecord>(DriftAlert.getClassSchema(), old, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        ByteBuffer stored = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(asOld);
        byte[] raw = new byte[stored.remaining()];
        stored.get(raw);
        DriftAlert read = StoreSerdes.alert().deserializer().deserialize("changelog", raw);
        assertEquals(alert.getAlertId(), read.getAlertId());
        assertEquals("r-1", read.getEvidence().get(0).getScanId());
        assertNull(read.getEvidence().get(0).getSeverity());
    }

    @Test
    void aPatientStoredByTheBuildsBeforeTrackedScanAxisPositionStillReads() throws Exception {
        TrackedScan scan = TrackedScan.newBuilder()
                .setScanId("s")
                .setAcquiredAt(Instant.parse("2026-11-20T08:00:00Z"))
                .setScore(0.4)
                .setComposition(new Composition(20, 16, 0))
                .setNeighbours(List.of(new Neighbour("r-1", 0.2f, Level.INFECTED, null)))
                .setModel(new ModelRef("m", "v", 256, null, null))
                .setIndexVersion(3)
                .setAxisPosition(0.3)
                .build();
        PatientState state = new PatientState("p", List.of(scan), List.of());
        Schema beforeAxis = StoreSerdes.without(PatientState.getClassSchema(), "TrackedScan", "axisPosition");
        Schema beforeSeverity = StoreSerdes.without(beforeAxis, "Neighbour", "severity");
        assertEquals(List.of(beforeAxis, beforeSeverity), StoreSerdes.earlier(PatientState.getClassSchema()));
        for (Schema old : List.of(beforeAxis, beforeSeverity)) {
            PatientState read =
                    StoreSerdes.patientState().deserializer().deserialize("changelog", storedAs(state, old));
            assertEquals("s", read.getScans().get(0).getScanId());
            assertEquals(0.4, read.getScans().get(0).getScore());
            assertNull(read.getScans().get(0).getAxisPosition(), "not kept then");
        }
    }

    /** A record as a build whose schema was {@code old} stored it. */
    private static byte[] storedAs(PatientState state, Schema old) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(PatientState.class).write(state, enc);
        enc.flush();
        GenericRecord asOld = new GenericDatumReader<GenericRecord>(
                        PatientState.getClassSchema(), old, GenericData.get())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        ByteBuffer stored = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(asOld);
        byte[] raw = new byte[stored.remaining()];
        stored.get(raw);
        return raw;
    }
}
