package io.xraydrift.drift.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes of the drift monitor's own state stores (and their changelogs): Avro's single-object
 * encoding (2-byte marker + schema fingerprint + binary body). Internal state does not go through
 * the registry: only this application reads it, and the fingerprint refuses a body written by a
 * schema this build does not know instead of misreading it.
 */
public final class StoreSerdes {

    private StoreSerdes() {}

    /** Per-patient state. */
    public static Serde<PatientState> patientState() {
        return of(PatientState.getClassSchema(), PatientState.class);
    }

    /** Alerts in the by-time store. */
    public static Serde<DriftAlert> alert() {
        return of(DriftAlert.getClassSchema(), DriftAlert.class);
    }

    /**
     * Fields added to stored records since state was first written, newest first ({record, field}):
     * state written by the build before each still reads (the field then is null).
     */
    private static final List<String[]> ADDED =
            List.of(new String[] {"TrackedScan", "axisPosition"}, new String[] {"Neighbour", "severity"});

    /**
     * The schemas earlier builds wrote {@code schema} with: today's less the newest added field,
     * then less the next one too, and so on (each with its own fingerprint); those a record does not
     * contain are skipped.
     */
    static List<Schema> earlier(Schema schema) {
        List<Schema> out = new ArrayList<>();
        Schema current = schema;
        for (String[] added : ADDED) {
            Schema older = without(current, added[0], added[1]);
            if (!older.equals(current)) {
                out.add(older);
            }
            current = older;
        }
        return out;
    }

    /** {@code schema} with the field {@code field} of the record named {@code record} left out, wherever it occurs. */
    static Schema without(Schema schema, String record, String field) {
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            strip(tree, record, field);
            return new Schema.Parser().parse(tree.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot derive the previous schema of " + schema.getFullName(), e);
        }
    }

    private static void strip(JsonNode node, String record, String field) {
        if (node.isObject()) {
            if (record.equals(node.path("name").asText()) && node.path("fields").isArray()) {
                var fields = (ArrayNode) node.get("fields");
                for (int i = fields.size() - 1; i >= 0; i--) {
                    if (field.equals(fields.get(i).path("name").asText())) {
                        fields.remove(i);
                    }
                }
            }
            node.elements().forEachRemaining(n -> strip(n, record, field));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(n -> strip(n, record, field));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static <T extends SpecificRecord> Serde<T> of(Schema schema, Class<T> type) {
        BinaryMessageEncoder<T> encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        BinaryMessageDecoder<T> decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
        // State written before TrackedScan.axisPosition or Neighbour.severity existed still reads.
        earlier(schema).forEach(decoder::addSchema);
        return Serdes.serdeFrom(
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    try {
                        ByteBuffer buffer = encoder.encode(value);
                        byte[] out = new byte[buffer.remaining()];
                        buffer.get(out);
                        return out;
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot encode " + type.getSimpleName() + " for " + topic, e);
                    }
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        return decoder.decode(bytes);
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "cannot decode " + type.getSimpleName() + " from " + topic + " (" + bytes.length
                                        + " bytes)",
                                e);
                    }
                });
    }
}
