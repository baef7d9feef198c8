package io.xraydrift.cli;

import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.schemas.Topics;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Intake records of phantoms, as a hospital feed publishes them, for the pipeline ITs. */
final class IntakeRecords {

    private IntakeRecords() {}

    /** The phantom's scan on the intake topic, keyed by its patient; {@code label} null for a patient scan. */
    static ProducerRecord<String, ScanIntake> of(PhantomSet.Item item, byte[] png, Level label, String source) {
        return new ProducerRecord<>(
                Topics.INTAKE.name(),
                item.patient(),
                ScanIntake.newBuilder()
                        .setPatientId(item.patient())
                        .setAcquiredAt(item.acquiredAt())
                        .setSource(source)
                        .setView(item.portable() ? ViewPosition.AP : ViewPosition.PA)
                        .setImage(ByteBuffer.wrap(png))
                        .setReferenceLabel(label)
                        .build());
    }
}
