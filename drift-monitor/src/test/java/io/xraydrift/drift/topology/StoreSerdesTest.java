package io.xraydrift.drift.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xraydrift.events.AlertKind;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Level;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.Neighbour;
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

/** State written before {@code Neighbour.severity} existed still reads after the schema gained it. */
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
        Schema old = StoreSerdes.withoutNeighbourSeverity(DriftAlert.getClassSchema());
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
}
