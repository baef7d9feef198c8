package io.xraydrift.schemas;

import io.apicurio.registry.rest.client.models.ProblemDetails;
import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import io.apicurio.registry.serde.strategy.TopicIdStrategy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes for the event topics: Apicurio's Avro serdes writing the Confluent wire format (magic
 * byte 0, 4-byte schema id = registry content id, no headers), subjects named by topic
 * ({@code <topic>-value}), values read back as the generated classes. Keys are plain strings.
 */
public final class EventSerdes {

    /** Package of the generated event classes, which Avro must be told to trust when it loads them by name. */
    public static final String EVENTS_PACKAGE = "io.xraydrift.events";

    static {
        trustEventClasses();
    }

    /** How long a serde call waits for an unreachable registry before giving up. */
    public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(15);

    private final Map<String, Object> config;
    private final String registryUrl;
    private final Duration patience;

    /**
     * @param registryUrl Apicurio v3 API base, e.g. {@code http://127.0.0.1:8080/apis/registry/v3}
     * @param extra       further {@code apicurio.registry.*} settings (auth, TLS), applied last
     * @param patience    how long a serde call retries while the registry does not answer
     *                    (connection refused or reset, timeout, 5xx) before it throws
     *                    {@link RegistryUnavailableException}
     */
    public EventSerdes(String registryUrl, Map<String, ?> extra, Duration patience) {
        Objects.requireNonNull(registryUrl, "registryUrl");
        this.registryUrl = registryUrl;
        this.patience = Objects.requireNonNull(patience, "patience");
        Map<String, Object> c = new HashMap<>();
        c.put(SerdeConfig.REGISTRY_URL, registryUrl);
        c.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        c.put(SerdeConfig.ARTIFACT_RESOLVER_STRATEGY, TopicIdStrategy.class.getName());
        c.put(SerdeConfig.USE_ID, "contentId");
        c.put(SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName());
        c.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
        // Register one self-contained schema per subject (nested enums and records inlined), not a
        // subject per nested type: what Confluent-ecosystem readers expect of <topic>-value.
        c.put(SerdeConfig.DEREFERENCE_SCHEMA, true);
        c.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        c.putAll(extra);
        this.config = Map.copyOf(c);
    }

    public EventSerdes(String registryUrl, Map<String, ?> extra) {
        this(registryUrl, extra, DEFAULT_PATIENCE);
    }

    public EventSerdes(String registryUrl) {
        this(registryUrl, Map.of());
    }

    /** The settings every value serde is configured with (also usable as Kafka client properties). */
    public Map<String, Object> config() {
        return config;
    }

    /**
     * A serde of the topic's event type in Avro's single-object encoding, with no registry: for
     * pure tests of a topology ({@code TopologyTestDriver}) and other code that never touches a
     * topic. Not the topics' wire format (that is {@link #values}).
     */
    public static <V extends SpecificRecord> Serde<V> plain(Topic<V> topic) {
        BinaryMessageEncoder<V> encoder = new BinaryMessageEncoder<>(SpecificData.get(), topic.valueSchema());
        BinaryMessageDecoder<V> decoder = new BinaryMessageDecoder<>(SpecificData.get(), topic.valueSchema());
        Serializer<V> serializer = (name, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteBuffer b = encoder.encode(value);
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            } catch (IOException e) {
                throw new SerializationException(
                        "cannot encode a " + topic.valueType().getSimpleName() + ": " + e.getMessage(), e);
            }
        };
        Deserializer<V> deserializer = (name, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decoder.decode(bytes);
            } catch (IOException | AvroRuntimeException e) {
                throw new SerializationException(
                        "cannot decode a " + topic.valueType().getSimpleName() + " from " + bytes.length + " bytes: "
                                + e.getMessage(),
                        e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** A configured value serde for the topic's event type. */
    public <V extends SpecificRecord> Serde<V> values(Topic<V> topic) {
        return Serdes.serdeFrom(valueSerializer(topic), valueDeserializer(topic));
    }

    /**
     * A configured value serializer for the topic's event type; while the registry does not
     * answer it retries, then throws {@link RegistryUnavailableException}.
     */
    public <V extends SpecificRecord> Serializer<V> valueSerializer(Topic<V> topic) {
        AvroKafkaSerializer<V> serializer = new AvroKafkaSerializer<>();
        serializer.configure(config, false);
        String what = "writing a " + topic.valueType().getSimpleName();
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topicName, V data) {
                return RegistryUnavailableException.retrying(
                        () -> serializer.serialize(topicName, data), what, registryUrl, patience);
            }

            @Override
            public byte[] serialize(String topicName, Headers headers, V data) {
                return RegistryUnavailableException.retrying(
                        () -> serializer.serialize(topicName, headers, data), what, registryUrl, patience);
            }

            @Override
            public void close() {
                serializer.close();
            }
        };
    }

    /**
     * A configured value deserializer returning the topic's generated class. The specific reader
     * picks the class named by the writer's schema, so a record of another event type would come
     * back as that type: it is refused here, naming both types, instead of failing later in a cast.
     * While the registry does not answer it retries, then throws {@link RegistryUnavailableException}
     * (the record is not at fault: read it again later, do not dead-letter it).
     */
    public <V extends SpecificRecord> Deserializer<V> valueDeserializer(Topic<V> topic) {
        AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();
        deserializer.configure(config, false);
        String what = "reading a " + topic.valueType().getSimpleName();
        return new Deserializer<>() {
            @Override
            public V deserialize(String topicName, byte[] data) {
                return expect(
                        topic, read(topic, topicName, data, () -> deserializer.deserialize(topicName, data), what));
            }

            @Override
            public V deserialize(String topicName, Headers headers, byte[] data) {
                return expect(
                        topic,
                        read(topic, topicName, data, () -> deserializer.deserialize(topicName, headers, data), what));
            }

            @Override
            public void close() {
                deserializer.close();
            }
        };
    }

    /**
     * Runs the Apicurio read, retried while the registry does not answer; any other failure becomes
     * a SerializationException that says what is wrong with the bytes (Apicurio's own exception is
     * often only a class name, e.g. {@code ProblemDetails} for an unknown schema id).
     */
    private Object read(Topic<?> topic, String topicName, byte[] data, Supplier<Object> call, String what) {
        try {
            return RegistryUnavailableException.retrying(call, what, registryUrl, patience);
        } catch (RegistryUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SerializationException(
                    "cannot read a " + topic.valueType().getSimpleName() + " from " + topicName + ": "
                            + describe(data, e),
                    e);
        }
    }

    /** Why these bytes could not be read, naming the offending value. */
    static String describe(byte[] data, Throwable failure) {
        if (data == null) {
            return "no value";
        }
        if (data.length < 5) {
            return "value has " + data.length + " bytes, fewer than the 5 of the Confluent wire format header "
                    + "(magic byte 0x00 + 4-byte schema id)";
        }
        if (data[0] != 0) {
            return String.format(
                    "value starts with byte 0x%02x, not the Confluent wire format's magic byte 0x00", data[0] & 0xff);
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        for (Throwable t : RegistryUnavailableException.causes(failure)) {
            if (t instanceof ProblemDetails p) {
                return "schema id " + id + ": the registry answered " + p.getStatus() + " " + p.getTitle()
                        + (p.getDetail() == null || p.getDetail().equals(p.getTitle())
                                ? ""
                                : " (" + p.getDetail() + ")");
            }
        }
        Throwable root = RegistryUnavailableException.root(failure);
        return "schema id " + id + ", " + (data.length - 5) + " bytes of Avro: "
                + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static <V extends SpecificRecord> V expect(Topic<V> topic, Object value) {
        if (value == null || topic.valueType().isInstance(value)) {
            return topic.valueType().cast(value);
        }
        String actual = value instanceof GenericContainer g
                ? g.getSchema().getFullName()
                : value.getClass().getName();
        throw new SerializationException("a " + actual + " where " + topic.name() + " carries "
                + topic.valueType().getSimpleName() + " records");
    }

    /**
     * Avro 1.12 loads specific classes by name only when they are trusted; trust exactly this
     * project's generated event package, on top of whatever is trusted already.
     */
    public static synchronized void trustEventClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current instanceof EventPackage) {
            return;
        }
        ClassSecurityValidator.setGlobal(new EventPackage(current));
    }

    private record EventPackage(ClassSecurityValidator.ClassSecurityPredicate fallback)
            implements ClassSecurityValidator.ClassSecurityPredicate {
        @Override
        public boolean isTrusted(Class<?> type) {
            return EVENTS_PACKAGE.equals(type.getPackageName()) || fallback.isTrusted(type);
        }
    }

    /** The key serde of every topic. */
    public static Serde<String> keys() {
        return Serdes.String();
    }
}
