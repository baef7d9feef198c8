package io.xraydrift.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.DroppingProxy;
import io.xraydrift.testing.LocalStackExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ScanReceived through Apicurio's serdes on a real broker and a real registry. */
@ExtendWith(LocalStackExtension.class)
class EventSerdesIT {

    @Test
    void scanRoundTripsInConfluentWireFormat(LocalStack stack) throws Exception {
        Topic<ScanReceived> topic = Topics.SCANS;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic.name(), 1, (short) 1)))
                    .all()
                    .get();
        }
        EventSerdes serdes = new EventSerdes(stack.registryUrl());
        ScanReceived sent = Events.scan("scan-0001", "c0ffee");

        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                EventSerdes.keys().serializer(),
                serdes.valueSerializer(topic))) {
            producer.send(new ProducerRecord<>(topic.name(), sent.getPatient(), sent))
                    .get();
        }

        ConsumerRecord<String, byte[]> raw = readOne(stack, topic.name(), new ByteArrayDeserializer());
        byte[] bytes = raw.value();
        assertEquals(0, bytes[0], "magic byte");
        int schemaId = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(0, raw.headers().toArray().length, "no serde headers");
        assertEquals("c0ffee", raw.key());

        ScanReceived received = serdes.valueDeserializer(topic).deserialize(topic.name(), bytes);
        assertEquals(sent, received);
        ScanReceived consumed =
                readOne(stack, topic.name(), serdes.valueDeserializer(topic)).value();
        assertEquals(sent, consumed);

        HttpResponse<String> byId = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.ccompatUrl() + "/schemas/ids/" + schemaId))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, byId.statusCode(), byId.body());
        String schemaJson =
                new ObjectMapper().readTree(byId.body()).get("schema").asText();
        assertEquals(ScanReceived.getClassSchema(), new Schema.Parser().parse(schemaJson));

        HttpResponse<String> subjects = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.ccompatUrl() + "/subjects"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertTrue(subjects.body().contains("\"" + topic.valueSubject() + "\""), subjects.body());
        assertTrue(
                !subjects.body().contains("ViewPosition"),
                "nested types are inlined, not own subjects: " + subjects.body());
    }

    @Test
    void aRegistryThatDropsConnectionsForAMomentCostsRetriesNotTheRecord(LocalStack stack) throws Exception {
        try (DroppingProxy proxy = DroppingProxy.droppingFirst(stack.registryUrl(), 3)) {
            EventSerdes throughProxy = new EventSerdes(proxy.url(), Map.of(), Duration.ofSeconds(30));
            ScanReceived sent = Events.scan("scan-dropped-0001", "d00d");
            byte[] bytes = throughProxy.valueSerializer(Topics.SCANS).serialize(Topics.SCANS.name(), sent);
            assertEquals(3, proxy.dropped(), "connections dropped before the write went through");
            assertEquals(
                    sent,
                    new EventSerdes(stack.registryUrl())
                            .valueDeserializer(Topics.SCANS)
                            .deserialize(Topics.SCANS.name(), bytes),
                    "read back through the registry directly");
        }
        try (DroppingProxy proxy = DroppingProxy.droppingFirst(stack.registryUrl(), 2)) {
            // A fresh reader has not seen the schema id yet: it must ask the registry, through the proxy.
            byte[] bytes = new EventSerdes(stack.registryUrl())
                    .valueSerializer(Topics.SCANS)
                    .serialize(Topics.SCANS.name(), Events.scan("scan-dropped-0002", "d00d"));
            ScanReceived read = new EventSerdes(proxy.url(), Map.of(), Duration.ofSeconds(30))
                    .valueDeserializer(Topics.SCANS)
                    .deserialize(Topics.SCANS.name(), bytes);
            assertEquals("scan-dropped-0002", read.getScanId());
            assertEquals(2, proxy.dropped());
        }
    }

    @Test
    void bytesThatAreNotAnEventAreRefusedSayingWhatIsWrongWithThem(LocalStack stack) {
        Deserializer<ScanReceived> reader = new EventSerdes(stack.registryUrl()).valueDeserializer(Topics.SCANS);
        Map<byte[], String> cases = new LinkedHashMap<>();
        cases.put(new byte[] {0, 0, 1}, "value has 3 bytes, fewer than the 5");
        cases.put(
                "{\"scanId\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                "value starts with byte 0x7b, not the Confluent wire format's magic byte 0x00");
        cases.put(new byte[] {0, 0, 0x0f, 0x42, 0x3f, 1, 2}, "schema id 999999: the registry answered 404");
        byte[] truncated = new EventSerdes(stack.registryUrl())
                .valueSerializer(Topics.SCANS)
                .serialize(Topics.SCANS.name(), Events.scan("scan-cut", "d00d"));
        cases.put(Arrays.copyOf(truncated, 12), "bytes of Avro");
        for (var c : cases.entrySet()) {
            var e = Assertions.assertThrows(
                    SerializationException.class, () -> reader.deserialize(Topics.SCANS.name(), c.getKey()));
            assertTrue(e.getMessage().startsWith("cannot read a ScanReceived from xray.scans: "), e.getMessage());
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerIsReportedByNameAsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/apis/registry/v3";
        EventSerdes serdes = new EventSerdes(url, Map.of(), Duration.ofSeconds(1));
        RegistryUnavailableException e = Assertions.assertThrows(
                RegistryUnavailableException.class,
                () -> serdes.valueSerializer(Topics.SCANS)
                        .serialize(Topics.SCANS.name(), Events.scan("scan-nowhere", "d00d")));
        assertTrue(e.getMessage().contains(url), e.getMessage());
        assertTrue(e.getMessage().contains("writing a ScanReceived"), e.getMessage());
    }

    private static <V> ConsumerRecord<String, V> readOne(LocalStack stack, String topic, Deserializer<V> values) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        stack.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "serde-it-" + System.nanoTime(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                EventSerdes.keys().deserializer(),
                values)) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertEquals(1, out.size(), "records read from " + topic);
        return out.get(0);
    }
}
