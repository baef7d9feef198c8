package io.xraydrift.drift.topology;

import io.apicurio.registry.serde.config.SerdeConfig;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison records (bytes the Avro deserializer cannot read: garbage, an unknown schema id, another
 * event type) become a {@link DeadLetter} on {@code xray.deadletter} — written in the same
 * exactly-once transaction as the task's output — and processing continues. Configured with the
 * application's properties, from which it takes the registry URL.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private Serializer<DeadLetter> serializer;

    @Override
    public void configure(Map<String, ?> configs) {
        Object url = configs.get(SerdeConfig.REGISTRY_URL);
        if (url == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs " + SerdeConfig.REGISTRY_URL
                    + " among the Streams properties");
        }
        // The registry's TLS and auth settings travel among the same properties.
        Map<String, Object> registry = new HashMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith("apicurio.registry.") && !k.equals(SerdeConfig.REGISTRY_URL)) {
                registry.put(k, v);
            }
        });
        serializer = new EventSerdes(url.toString(), registry).valueSerializer(Topics.DEAD_LETTER);
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        var unavailable = RegistryUnavailableException.among(exception);
        if (unavailable.isPresent()) {
            // Not the record's fault: fail the task; the replaced stream thread reads it again.
            LOG.warn(
                    "{}-{}@{} not read, the registry did not answer: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    unavailable.get().getMessage());
            return Response.fail();
        }
        String reason = "cannot read a " + Topics.NEIGHBOURS.valueType().getSimpleName() + " from " + record.topic()
                + "-" + record.partition() + "@" + record.offset() + " ("
                + (record.value() == null ? 0 : record.value().length) + " bytes): " + rootMessage(exception);
        DeadLetter d = DeadLetters.of("drift-monitor", record, reason, exception);
        LOG.warn("dead-lettered {}", reason);
        byte[] key = DeadLetters.key(d).getBytes(StandardCharsets.UTF_8);
        return Response.resume(List.of(new ProducerRecord<>(
                Topics.DEAD_LETTER.name(), key, serializer.serialize(Topics.DEAD_LETTER.name(), d))));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            out.append(": ").append(t.getMessage());
        }
        return out.toString();
    }
}
