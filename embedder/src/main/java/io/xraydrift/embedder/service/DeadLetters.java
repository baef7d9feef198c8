package io.xraydrift.embedder.service;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.SourceRecordRef;

/** Dead-letter records of the embedder: the reason, where the input came from, its bytes (bounded). */
final class DeadLetters {

    /** Original bytes kept at most. */
    static final int MAX_ORIGINAL_BYTES = 16 * 1024 * 1024;
    static final String STAGE = "embedder";

    private DeadLetters() {
    }

    static DeadLetter of(ConsumerRecord<String, byte[]> record, String reason, Throwable error) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        byte[] kept = value.length > MAX_ORIGINAL_BYTES ? Arrays.copyOf(value, MAX_ORIGINAL_BYTES) : value;
        return DeadLetter.newBuilder()
                .setStage(STAGE)
                .setReason(reason)
                .setErrorType(error == null ? null : error.getClass().getName())
                .setSource(new SourceRecordRef(record.topic(), record.partition(), record.offset()))
                .setOriginalBytes(ByteBuffer.wrap(kept))
                .setOriginalSize(value.length)
                .setFailedAt(Instant.now())
                .build();
    }
}
