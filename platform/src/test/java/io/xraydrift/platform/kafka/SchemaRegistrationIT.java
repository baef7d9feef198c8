package io.xraydrift.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalStackExtension;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Subjects, ids and BACKWARD compatibility on the real Apicurio registry. */
@ExtendWith(LocalStackExtension.class)
class SchemaRegistrationIT {

    @Test
    void everySubjectIsBackwardAndReRegisteringGivesTheSameId(LocalStack stack) {
        SchemaRegistration registration = new SchemaRegistration(stack.ccompatUrl());
        Map<String, Integer> first = registration.registerAll(Topics.all());
        Map<String, Integer> again = registration.registerAll(Topics.all());
        assertEquals(first, again);
        assertEquals(Topics.all().size(), first.size());
        for (Topic<?> topic : Topics.all()) {
            assertEquals("BACKWARD", registration.compatibility(topic.valueSubject()), topic.valueSubject());
        }
    }

    @Test
    void theSerializerWritesTheRegisteredId(LocalStack stack) {
        Topic<ScanReceived> topic = Topics.SCANS;
        int registered = new SchemaRegistration(stack.ccompatUrl()).register(topic.valueSubject(), topic.valueSchema());
        ScanReceived scan = ScanReceived.newBuilder()
                .setScanId("s1")
                .setPatient("p1")
                .setAcquiredAt(Instant.parse("2026-01-01T00:00:00Z"))
                .setReceivedAt(Instant.parse("2026-01-01T00:01:00Z"))
                .setSource("test")
                .setView(ViewPosition.AP)
                .setWidth(1)
                .setHeight(1)
                .build();
        byte[] bytes =
                new EventSerdes(stack.registryUrl()).valueSerializer(topic).serialize(topic.name(), scan);
        assertEquals(0, bytes[0]);
        assertEquals(registered, ByteBuffer.wrap(bytes, 1, 4).getInt());
    }

    @Test
    void refusesABackwardIncompatibleChangeAndAcceptsACompatibleOne(LocalStack stack) {
        SchemaRegistration registration = new SchemaRegistration(stack.ccompatUrl());
        String subject = "compat-check-" + Topics.ALERTS.valueSubject();
        Schema v1 = DriftAlert.getClassSchema();
        int id1 = registration.register(subject, v1);
        assertEquals("BACKWARD", registration.compatibility(subject));

        // A new required field without a default: new readers cannot read old alerts.
        Schema incompatible = withField(
                v1, new Schema.Field("ward", Schema.create(Schema.Type.STRING), "ward of the patient", (Object) null));
        SchemaRegistration.SchemaRejectedException refused = assertThrows(
                SchemaRegistration.SchemaRejectedException.class, () -> registration.register(subject, incompatible));
        assertEquals(409, refused.status(), refused.getMessage());
        assertTrue(refused.getMessage().contains(subject), refused.getMessage());

        // The same field with a default is a BACKWARD-compatible change.
        Schema compatible = withField(
                v1,
                new Schema.Field(
                        "ward",
                        SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
                        "ward of the patient",
                        Schema.Field.NULL_DEFAULT_VALUE));
        int id2 = registration.register(subject, compatible);
        assertNotEquals(id1, id2);
    }

    private static Schema withField(Schema base, Schema.Field extra) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
