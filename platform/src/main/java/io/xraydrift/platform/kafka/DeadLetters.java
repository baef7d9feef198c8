package io.xraydrift.platform.kafka;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.SourceRecordRef;

/** Dead-letter records of a stage: the reason, where the input came from, its bytes (bounded). */
public final class DeadLetters {

    /** Original bytes kept at most. */
    public static final int MAX_ORIGINAL_BYTES = 16 * 1024 * 1024;

    private DeadLetters() {
    }

    /** A dead letter for a record a stage refused; {@code error} may be null. */
    public static DeadLetter of(String stage, ConsumerRecord<?, byte[]> record, String reason, Throwable error) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        byte[] kept = value.length > MAX_ORIGINAL_BYTES ? Arrays.copyOf(value, MAX_ORIGINAL_BYTES) : value;
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReason(reason)
                .setErrorType(error == null ? null : error.getClass().getName())
                .setSource(new SourceRecordRef(record.topic(), record.partition(), record.offset()))
                .setOriginalBytes(ByteBuffer.wrap(kept))
                .setOriginalSize(value.length)
                .setFailedAt(Instant.now())
                .build();
    }

    /** The key dead letters are written under: where the original record was. */
    public static String key(DeadLetter d) {
        return d.getSource() == null ? d.getRequestId()
                : d.getSource().getTopic() + "/" + d.getSource().getPartition() + "/" + d.getSource().getOffset();
    }
}
