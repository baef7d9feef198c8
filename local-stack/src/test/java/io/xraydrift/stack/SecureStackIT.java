package io.xraydrift.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The secure stack: SCRAM users, ACLs enforced, plain text and wrong passwords refused, registry on HTTPS only. */
class SecureStackIT {

    private static SecureStack stack;

    @BeforeAll
    static void start() {
        stack = SecureStack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aUserReadsAndWritesOnlyWhatItsAclsAllow() throws Exception {
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(
                            new NewTopic("secure-allowed", 1, (short) 1),
                            new NewTopic("secure-forbidden", 1, (short) 1)))
                    .all()
                    .get();
        }
        String password = stack.createUser("alice");
        ResourcePattern allowed = new ResourcePattern(ResourceType.TOPIC, "secure-allowed", PatternType.LITERAL);
        stack.grant(List.of(
                new AclBinding(
                        allowed,
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                new AclBinding(
                        allowed, new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)),
                new AclBinding(
                        new ResourcePattern(ResourceType.GROUP, "alice-", PatternType.PREFIXED),
                        new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW))));
        Map<String, Object> alice = client(stack.clientSecurity("alice", password));
        try (var producer = new KafkaProducer<>(alice, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("secure-allowed", "k", "v")).get();
            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("secure-forbidden", "k", "v"))
                            .get());
            assertTrue(
                    refused.getCause() instanceof TopicAuthorizationException,
                    refused.getCause().toString());
        }
        Map<String, Object> reader = new HashMap<>(alice);
        reader.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-reader");
        reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(reader, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of("secure-allowed"));
            int seen = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen < 1 && System.currentTimeMillis() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(1, seen);
        }
    }

    @Test
    void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() {
        Map<String, Object> plain = client(Map.of());
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000);
        try (Admin admin = Admin.create(plain)) {
            assertThrows(
                    ExecutionException.class, () -> admin.listTopics().names().get());
        }
        String password = stack.createUser("mallory");
        Map<String, Object> wrong = client(stack.clientSecurity("mallory", password + "x"));
        try (Admin admin = Admin.create(wrong)) {
            ExecutionException refused = assertThrows(
                    ExecutionException.class, () -> admin.listTopics().names().get());
            assertTrue(
                    refused.getCause() instanceof SaslAuthenticationException,
                    refused.getCause().toString());
        }
    }

    @Test
    void theRegistryAnswersOnlyOverHttpsWithTheStacksCertificate() throws Exception {
        HttpClient trusting = HttpClient.newBuilder()
                .sslContext(stack.certificates().clientContext())
                .build();
        HttpResponse<String> info = trusting.send(
                HttpRequest.newBuilder(URI.create(stack.registryUrl() + "/system/info"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, info.statusCode(), info.body());
        assertTrue(stack.registryUrl().startsWith("https://"), stack.registryUrl());
        HttpClient untrusting = HttpClient.newHttpClient();
        assertThrows(
                IOException.class,
                () -> untrusting.send(
                        HttpRequest.newBuilder(URI.create(stack.registryUrl() + "/system/info"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
        String plain = stack.registryUrl().replace("https://", "http://");
        assertThrows(
                IOException.class,
                () -> trusting.send(
                        HttpRequest.newBuilder(URI.create(plain + "/system/info"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
    }

    private static Map<String, Object> client(Map<String, String> security) {
        Map<String, Object> p = new HashMap<>(security);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return p;
    }
}
