package io.xraydrift.platform.kafka;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.SourceRecordRef;
import io.xraydrift.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dead-letter records of a stage: the reason, where the input came from, its bytes (bounded). */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    /** Original bytes kept at most. */
    public static final int MAX_ORIGINAL_BYTES = 16 * 1024 * 1024;

    private DeadLetters() {}

    /** A dead letter for a record a stage refused; {@code error} may be null. */
    public static DeadLetter of(String stage, ConsumerRecord<?, byte[]> record, String reason, Throwable error) {
        return of(
                stage,
                new SourceRecordRef(record.topic(), record.partition(), record.offset()),
                null,
                record.value() == null ? new byte[0] : record.value(),
                reason,
                error);
    }

    /** A dead letter for input that came over HTTP or DICOMweb; {@code bytes} may be null (not kept). */
    public static DeadLetter ofRequest(String stage, String requestId, byte[] bytes, String reason, Throwable error) {
        return of(stage, null, requestId, bytes, reason, error);
    }

    /**
     * A dead letter with where the input came from (a record's position or a request id), its
     * original bytes kept up to {@link #MAX_ORIGINAL_BYTES} (null: none kept), the reason and error.
     */
    public static DeadLetter of(
            String stage, SourceRecordRef source, String requestId, byte[] bytes, String reason, Throwable error) {
        byte[] kept =
                bytes == null || bytes.length <= MAX_ORIGINAL_BYTES ? bytes : Arrays.copyOf(bytes, MAX_ORIGINAL_BYTES);
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReason(reason)
                .setErrorType(error == null ? null : error.getClass().getName())
                .setSource(source)
                .setRequestId(requestId)
                .setOriginalBytes(kept == null ? null : ByteBuffer.wrap(kept))
                .setOriginalSize(bytes == null ? 0 : bytes.length)
                .setFailedAt(Instant.now())
                .build();
    }

    /**
     * The record a dead letter is written as — on {@code xray.deadletter}, keyed by where its input
     * was — logged once with its stage and reason (a reason names the field, never a value that could
     * carry patient data). Every stage writes its dead letters through this.
     */
    public static ProducerRecord<String, byte[]> record(DeadLetter d, Serializer<DeadLetter> values) {
        LOG.warn("dead letter ({}): {}", d.getStage(), d.getReason());
        return new ProducerRecord<>(Topics.DEAD_LETTER.name(), key(d), values.serialize(Topics.DEAD_LETTER.name(), d));
    }

    /** The key dead letters are written under: where the original record was. */
    public static String key(DeadLetter d) {
        return d.getSource() == null
                ? d.getRequestId()
                : d.getSource().getTopic() + "/" + d.getSource().getPartition() + "/"
                        + d.getSource().getOffset();
    }
}
