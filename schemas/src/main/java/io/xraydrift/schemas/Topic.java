package io.xraydrift.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * A topic, declared once: its name, the Avro type of its values (keys are always the patient
 * pseudonym or another plain string), and the partitions and configs the topic-setup step
 * applies. Serdes for it come from {@link EventSerdes}.
 *
 * @param name        topic name
 * @param valueType   generated Avro class of the values
 * @param partitions  partition count created by topic setup
 * @param configs     topic-level configs (retention, compaction, message size) created by topic setup
 * @param purpose     one line for {@code --help}, the README and {@code topics list}
 */
public record Topic<V extends SpecificRecord>(
        String name, Class<V> valueType, int partitions, Map<String, String> configs, String purpose) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, was " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** This topic with one topic-level config set to another value (a deployment's setting). */
    public Topic<V> withConfig(String key, String value) {
        Map<String, String> c = new HashMap<>(configs);
        c.put(key, value);
        return new Topic<>(name, valueType, partitions, c, purpose);
    }

    /** Subject of the value schema under the topic-name strategy: {@code <topic>-value}. */
    public String valueSubject() {
        return name + "-value";
    }

    /** The value type's Avro schema (the generated class's {@code SCHEMA$}). */
    public Schema valueSchema() {
        try {
            return (Schema) valueType.getField("SCHEMA$").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(valueType.getName() + " is not a generated Avro class", e);
        }
    }
}
