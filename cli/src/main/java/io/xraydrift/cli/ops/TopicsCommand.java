package io.xraydrift.cli.ops;

import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.TopicSetup;
import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;

/** Ops view of the topics: list with offsets and lag, and the setup step on demand. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = {
            "Lists and sets up the pipeline's topics.",
            "Works on the Kafka cluster named by XRAY_KAFKA_BOOTSTRAP_SERVERS (registry: XRAY_REGISTRY_URL)."
        },
        subcommands = {
            TopicsCommand.ListTopics.class,
            TopicsCommand.Setup.class,
            TopicsCommand.Acls.class,
            TopicsTail.class,
            TopicsCommand.Hanging.class
        })
public final class TopicsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists the cluster's topics (declared ones marked with their purpose): partitions, "
                    + "end offsets, and each consumer group's lag. On topics written in transactions the commit markers "
                    + "take offsets too, so end offsets and lag count them.")
    static final class ListTopics implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            KafkaSettings kafka = KafkaSettings.from(Settings.load());
            try (Admin admin = Admin.create(kafka.clientProperties("xray-drift-topics"))) {
                print(admin, System.out);
            }
            return 0;
        }
    }

    @Command(
            name = "hanging",
            mixinStandardHelpOptions = true,
            description = {
                "Finds hanging transactions: a partition whose open transaction its coordinator does not "
                        + "have open (Kafka completes a transaction without its markers when a partition it wrote has no "
                        + "leader, as on a single broker that stops or starts mid-commit). read_committed readers stop at "
                        + "it, and the group whose offsets it holds cannot fetch its position. Exit 4 when any is found.",
                "With --abort, writes an abort marker on each such partition (the offsets partition included): the "
                        + "service reads that input again and writes it once more. Restart that service afterwards (each "
                        + "line names it): it remembers what it wrote, and ingest would drop the scan it reads again as a "
                        + "duplicate. Needs CLUSTER_ACTION (an administrator)."
            })
    static final class Hanging implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--abort", description = "Abort each hanging transaction found.")
        boolean abort;

        @picocli.CommandLine.Option(
                names = "--min-age",
                paramLabel = "SECONDS",
                defaultValue = "60",
                description = "Only transactions open at least this many seconds (default ${DEFAULT-VALUE}; always "
                        + "past their transaction timeout).")
        int minAge;

        @Override
        public Integer call() throws Exception {
            KafkaSettings kafka = KafkaSettings.from(Settings.load());
            try (Admin admin = Admin.create(kafka.clientProperties("xray-drift-topics"))) {
                List<HangingTransactions.Hanging> found = HangingTransactions.find(admin, Duration.ofSeconds(minAge));
                for (HangingTransactions.Hanging h : found) {
                    System.out.println((abort ? "aborting " : "hanging ")
                            + h
                            + HangingTransactions.service(h)
                                    .map(svc -> "; then restart " + svc)
                                    .orElse(""));
                    if (abort) {
                        HangingTransactions.abort(admin, h);
                    }
                }
                System.out.println(found.size() + " hanging transaction(s)" + (abort ? ", aborted" : ""));
                return found.isEmpty() || abort ? 0 : 4;
            }
        }
    }

    @Command(
            name = "setup",
            mixinStandardHelpOptions = true,
            description = "Creates missing topics, reports ones whose settings differ (never changes them), "
                    + "registers the event schemas with BACKWARD compatibility. Every service does this at start.")
    static final class Setup implements Callable<Integer> {
        @Override
        public Integer call() {
            KafkaSettings kafka = KafkaSettings.from(Settings.load());
            KafkaBootstrap.Outcome outcome = KafkaBootstrap.prepare(kafka, "xray-drift-topics");
            for (TopicSetup.Result r : outcome.topics().results()) {
                System.out.printf("%-22s %-9s %s%n", r.topic(), r.outcome(), String.join("; ", r.differences()));
            }
            System.out.println("schemas: " + outcome.schemaIds());
            return outcome.topics().mismatches().isEmpty() ? 0 : 3;
        }
    }

    @Command(
            name = "acls",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the least-privilege Kafka ACLs of each service (what it may read, write, describe; "
                        + "its consumer groups and transactional ids by prefix; the drift monitor's Kafka Streams internal "
                        + "topics); with --apply creates them. No service may create or delete a declared topic: "
                        + "run 'topics setup' as an administrator first.",
                "With --apply, run it with administrator credentials (XRAY_KAFKA_CLIENT_SASL_JAAS_CONFIG, ...)."
            })
    public static final class Acls implements Callable<Integer> {
        @picocli.CommandLine.Option(
                names = "--principal",
                paramLabel = "SERVICE=PRINCIPAL",
                description = "A service's principal (default User:xray-SERVICE, e.g. User:xray-ingest); repeatable.")
        Map<String, String> principals = new HashMap<>();

        @picocli.CommandLine.Option(
                names = "--drift-application-id",
                paramLabel = "ID",
                description = "The drift monitor's XRAY_DRIFT_APPLICATION_ID if not the default (${DEFAULT-VALUE}).")
        String driftApplicationId = ServiceAccess.DRIFT_MONITOR.prefix();

        @picocli.CommandLine.Option(
                names = "--feed",
                paramLabel = "PRINCIPAL",
                description = "A hospital feed's principal: may write xray.scans.intake and nothing else; repeatable.")
        List<String> feeds = new ArrayList<>();

        @picocli.CommandLine.Option(
                names = "--alert-reader",
                paramLabel = "PRINCIPAL=GROUP_PREFIX",
                description = "An alert consumer's principal and the prefix of its consumer groups: may read "
                        + "xray.alerts and xray.trajectories; repeatable.")
        Map<String, String> alertReaders = new LinkedHashMap<>();

        @picocli.CommandLine.Option(names = "--apply", description = "Create the ACLs on the cluster.")
        boolean apply;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<AclBinding> all = new ArrayList<>(bindings(principals, driftApplicationId));
            feeds.forEach(f -> all.addAll(ServiceAccess.feedAcls(principal(f, "a feed"))));
            alertReaders.forEach(
                    (p, g) -> all.addAll(ServiceAccess.alertReaderAcls(principal(p, "an alert reader"), g)));
            for (AclBinding b : all) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "%-25s %-6s %-17s %-16s %-24s %s%n",
                                b.entry().principal(),
                                b.entry().permissionType(),
                                b.entry().operation(),
                                b.pattern().resourceType(),
                                b.pattern().name(),
                                b.pattern().patternType());
            }
            spec.commandLine().getOut().flush();
            if (apply) {
                KafkaSettings kafka = KafkaSettings.from(Settings.load());
                try (Admin admin = Admin.create(kafka.clientProperties("xray-drift-acls"))) {
                    admin.createAcls(all).all().get();
                }
                spec.commandLine().getOut().println(all.size() + " ACLs created (existing ones are left as they are)");
            }
            return 0;
        }

        private static String principal(String principal, String of) {
            if (!principal.contains(":")) {
                throw new IllegalArgumentException(
                        "principal '" + principal + "' of " + of + " has no type: write User:" + principal);
            }
            return principal;
        }

        /** Every service's ACLs, for the principals given (default {@code User:xray-SERVICE}). */
        public static List<AclBinding> bindings(Map<String, String> principals, String driftApplicationId) {
            for (String service : principals.keySet()) {
                ServiceAccess.parse(service);
            }
            List<AclBinding> all = new ArrayList<>();
            for (ServiceAccess access : ServiceAccess.values()) {
                String principal = principal(
                        principals.getOrDefault(access.service(), "User:" + access.defaultUser()), access.service());
                all.addAll(access.acls(
                        principal, access == ServiceAccess.DRIFT_MONITOR ? driftApplicationId : access.prefix()));
            }
            return all;
        }
    }

    static void print(Admin admin, PrintStream out) throws InterruptedException, ExecutionException {
        TreeSet<String> names = new TreeSet<>(admin.listTopics().names().get());
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names).allTopicNames().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        descriptions
                .values()
                .forEach(d -> d.partitions()
                        .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get();

        Map<String, Map<String, Long>> lagByTopic = new TreeMap<>();
        List<String> groups = new ArrayList<>();
        for (ConsumerGroupListing g : admin.listConsumerGroups().all().get()) {
            groups.add(g.groupId());
        }
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            committed.forEach((tp, om) -> {
                if (om != null && ends.containsKey(tp)) {
                    long lag = Math.max(0, ends.get(tp).offset() - om.offset());
                    lagByTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).merge(group, lag, Long::sum);
                }
            });
        }

        out.printf("%-24s %10s %12s  %s%n", "TOPIC", "PARTITIONS", "END OFFSETS", "CONSUMER GROUP LAG / PURPOSE");
        for (String name : names) {
            TopicDescription d = descriptions.get(name);
            long end = d.partitions().stream()
                    .mapToLong(p ->
                            ends.get(new TopicPartition(name, p.partition())).offset())
                    .sum();
            String purpose = Topics.byName(name).map(Topic::purpose).orElse("");
            out.printf("%-24s %10d %12d  %s%n", name, d.partitions().size(), end, purpose);
            lagByTopic
                    .getOrDefault(name, Map.of())
                    .forEach((g, lag) -> out.printf("%-24s %10s %12s  lag %d  (%s)%n", "", "", "", lag, g));
        }
    }
}
