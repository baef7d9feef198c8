package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.cli.ops.TopicsCommand;
import io.xraydrift.events.Level;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.SecureStack;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.testing.ServiceProcess;
import io.xraydrift.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The pipeline as a hospital's Kafka runs it: SASL_SSL with SCRAM-SHA-512 and ACLs, the registry
 * on HTTPS only. An administrator sets up the topics and grants each service the ACLs of
 * {@link ServiceAccess} ({@code topics acls}); the four services run as processes, each as its own
 * principal, and carry scans from intake to trajectories. A client without credentials gets
 * nothing, and a service's principal can do nothing outside its own topics and groups.
 */
class SecurePipelineIT {

    private static final int[] COHORT = {24, 12, 12};
    private static final int PATIENTS = 4;
    private static final int SCANS = 5;

    @Test
    void fourServicesWithTheirOwnPrincipalsCarryScansThroughSaslSslAndAcls() throws Exception {
        // Fresh each run: a snapshot or Streams state from an earlier run's broker would be replayed against this one.
        Path work = Path.of("target", "secure-test").toAbsolutePath();
        TempDirs.deleteQuietly(work);
        Files.createDirectories(work);
        try (SecureStack stack = SecureStack.start()) {
            Map<String, String> common = new HashMap<>();
            common.put("XRAY_HTTP_HOST", "127.0.0.1");
            common.put("XRAY_HTTP_PORT", "0");
            common.put(Settings.DEMO_MODE.name(), "true");

            // The administrator: topics and schemas (over HTTPS), users, ACLs.
            Map<String, String> admin = new HashMap<>(common);
            admin.putAll(LocalRun.secureSettings(stack, stack.adminSecurity()));
            KafkaSettings adminKafka = KafkaSettings.from(Settings.of(admin));
            Map<String, String> passwords = new HashMap<>();
            for (ServiceAccess access : ServiceAccess.values()) {
                String user = access.defaultUser();
                passwords.put(access.service(), stack.createUser(user));
            }
            stack.grant(TopicsCommand.Acls.bindings(Map.of(), ServiceAccess.DRIFT_MONITOR.prefix()));
            // A service may not create its topics: before the administrator's setup it stops, naming one.
            KafkaSettings ingestKafka =
                    KafkaSettings.from(Settings.of(serviceEnv(stack, common, "ingest", passwords, Map.of())));
            IllegalStateException early = assertThrows(
                    IllegalStateException.class,
                    () -> KafkaBootstrap.prepare(ingestKafka, "secure-early", ServiceAccess.INGEST.topics()));
            assertTrue(
                    early.getMessage().contains("topic xray.scans.intake")
                            && early.getMessage().contains("topics setup"),
                    early.getMessage());
            KafkaBootstrap.Outcome setup = KafkaBootstrap.prepare(adminKafka, "secure-setup");
            assertEquals(Topics.all().size(), setup.topics().created().size(), "topics created by the administrator");

            Map<String, ServiceProcess> services = PipelineProcesses.of(
                    work,
                    "secure",
                    List.of("ingest", "embedder", "indexer", "drift-monitor"),
                    name -> serviceEnv(stack, common, name, passwords, Map.of()));
            try {
                for (ServiceProcess s : services.values()) {
                    s.start();
                }
                int total = feed(stack, adminKafka.serdes());
                EventSerdes serdes = adminKafka.serdes();
                Map<String, Integer> scored = new HashMap<>();
                Set<String> seriesPatients = new HashSet<>();
                TopicReader.readAll(stack, Topics.SCANS.name(), serdes.valueDeserializer(Topics.SCANS), total, v -> {
                    if (v.getReferenceLabel() == null) {
                        seriesPatients.add(v.getPatient());
                    }
                });
                TopicReader.readAll(
                        stack,
                        Topics.NEIGHBOURS.name(),
                        serdes.valueDeserializer(Topics.NEIGHBOURS),
                        total,
                        v -> scored.merge(v.getScanId(), 1, Integer::sum));
                assertEquals(total, scored.size(), "scans scored through SASL_SSL; logs in " + work);
                scored.forEach((id, n) -> assertEquals(1, n, "scan " + id + " scored " + n + " times"));
                assertEquals(PATIENTS, seriesPatients.size(), "series patients");
                Set<String> tracked = new HashSet<>();
                TopicReader.readAll(
                        stack,
                        Topics.TRAJECTORIES.name(),
                        serdes.valueDeserializer(Topics.TRAJECTORIES),
                        PATIENTS,
                        v -> tracked.add(v.getPatient()));
                assertTrue(tracked.containsAll(seriesPatients), "trajectories of " + seriesPatients + ": " + tracked);
                List<String> deadLetters = new ArrayList<>();
                TopicReader.readAll(
                        stack,
                        Topics.DEAD_LETTER.name(),
                        serdes.valueDeserializer(Topics.DEAD_LETTER),
                        0,
                        d -> deadLetters.add(d.getReason()));
                assertEquals(List.of(), deadLetters, "dead letters");

                // Access revoked mid-run: the embedder's loop can no longer write its output, so it ends,
                // the service is no longer live and its process exits 70 for an orchestrator to restart
                // it; the other services run on.
                try (Admin a = stack.admin()) {
                    a.deleteAcls(List.of(new AclBindingFilter(
                                    new ResourcePatternFilter(
                                            ResourceType.TOPIC, Topics.EMBEDDINGS.name(), PatternType.LITERAL),
                                    new AccessControlEntryFilter(
                                            "User:" + ServiceAccess.EMBEDDER.defaultUser(),
                                            null,
                                            AclOperation.WRITE,
                                            AclPermissionType.ANY))))
                            .all()
                            .get();
                }
                send(stack, serdes, PhantomSet.trajectories(1, 2, 4444, 0), false);
                assertEquals(
                        ServiceRunner.DIED,
                        services.get("embedder").awaitExit(Duration.ofSeconds(120)),
                        "the embedder's exit code once it may not write; logs in " + work);
                for (String other : List.of("ingest", "indexer", "drift-monitor")) {
                    assertTrue(services.get(other).alive(), other + " still runs");
                }
            } finally {
                for (ServiceProcess s : services.values()) {
                    s.close();
                }
            }

            // Least privilege: the ingest principal reads only intake, writes only its outputs, creates nothing.
            Map<String, Object> ingest =
                    clientProperties(stack, stack.clientSecurity("xray-ingest", passwords.get("ingest")));
            Map<String, Object> reader = new HashMap<>(ingest);
            reader.put(ConsumerConfig.GROUP_ID_CONFIG, "xray-ingest-probe");
            reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (var c = new KafkaConsumer<>(reader, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(Topics.ALERTS.name()));
                assertThrows(TopicAuthorizationException.class, () -> pollFor(c, Duration.ofSeconds(20)));
            }
            reader.put(ConsumerConfig.GROUP_ID_CONFIG, "someone-elses-group");
            try (var c = new KafkaConsumer<>(reader, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(Topics.INTAKE.name()));
                assertThrows(GroupAuthorizationException.class, () -> pollFor(c, Duration.ofSeconds(20)));
            }
            try (var p = new KafkaProducer<>(ingest, new ByteArraySerializer(), new ByteArraySerializer())) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(Topics.EMBEDDINGS.name(), new byte[1]))
                                .get());
                assertTrue(
                        e.getCause() instanceof TopicAuthorizationException,
                        e.getCause().toString());
            }
            try (Admin a = Admin.create(ingest)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> a.createTopics(List.of(new NewTopic("xray.stolen", 1, (short) 1)))
                                .all()
                                .get());
                assertTrue(
                        e.getCause() instanceof TopicAuthorizationException,
                        e.getCause().toString());
                ExecutionException d = assertThrows(
                        ExecutionException.class,
                        () -> a.deleteTopics(List.of(Topics.AUDIT.name())).all().get());
                assertTrue(
                        d.getCause() instanceof TopicAuthorizationException,
                        d.getCause().toString());
            }

            // No credentials: plain text to the SASL_SSL listener gets no answer at all.
            Map<String, Object> anonymous = clientProperties(stack, Map.of());
            anonymous.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            anonymous.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            try (Admin a = Admin.create(anonymous)) {
                assertThrows(
                        ExecutionException.class, () -> a.listTopics().names().get());
            }
        }
    }

    private static void pollFor(KafkaConsumer<byte[], byte[]> c, Duration howLong) {
        long deadline = System.nanoTime() + howLong.toNanos();
        while (System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(500));
        }
    }

    /** Labelled cohort, then a few patients' series, as the administrator (a hospital feed would have its own ACL). */
    private static int feed(SecureStack stack, EventSerdes serdes) {
        List<PhantomSet.Item> cohort = PhantomSet.labelled(COHORT[0], COHORT[1], COHORT[2], 4242, 0.15);
        List<PhantomSet.Item> series = PhantomSet.trajectories(PATIENTS, SCANS, 4343, 0.15);
        send(stack, serdes, cohort, true);
        send(stack, serdes, series, false);
        return cohort.size() + series.size();
    }

    /** Phantoms through the intake topic as the administrator; labelled with their grade or not. */
    private static void send(SecureStack stack, EventSerdes serdes, List<PhantomSet.Item> items, boolean labelled) {
        PhantomRenderer renderer = new PhantomRenderer(512);
        Map<String, Object> p = clientProperties(stack, stack.adminSecurity());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        try (KafkaProducer<String, ScanIntake> feed =
                new KafkaProducer<>(p, EventSerdes.keys().serializer(), serdes.valueSerializer(Topics.INTAKE))) {
            for (PhantomSet.Item item : items) {
                feed.send(record(
                        item,
                        PhantomSet.render(renderer, item).toPng(),
                        labelled ? Level.valueOf(item.grade().name()) : null));
            }
            feed.flush();
        }
    }

    private static ProducerRecord<String, ScanIntake> record(PhantomSet.Item item, byte[] png, Level label) {
        return IntakeRecords.of(item, png, label, "secure-test");
    }

    private static Map<String, Object> clientProperties(SecureStack stack, Map<String, String> security) {
        Map<String, Object> p = new HashMap<>(security);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        return p;
    }

    private static Map<String, String> serviceEnv(
            SecureStack stack,
            Map<String, String> common,
            String service,
            Map<String, String> passwords,
            Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(LocalRun.secureSettings(
                stack, stack.clientSecurity(ServiceAccess.parse(service).defaultUser(), passwords.get(service))));
        env.putAll(extra);
        env.put("XRAY_INSTANCE_ID", "secure-" + service);
        return env;
    }
}
