package io.xraydrift.platform.kafka;

import io.xraydrift.schemas.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the declared topics that are missing, with their partitions and configs, and checks
 * the ones that exist. Idempotent. A topic that exists with other settings is reported, never
 * changed: altering partitions or retention of a live topic is an operator's decision.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    /** What happened to one topic. */
    public enum Outcome {
        CREATED,
        MATCHES,
        MISMATCH
    }

    /** One topic's result; {@code differences} says what differs, e.g. "partitions: declared 6, actual 2". */
    public record Result(String topic, Outcome outcome, List<String> differences) {}

    /** All topics' results. */
    public record Report(List<Result> results) {

        public List<Result> mismatches() {
            return results.stream().filter(r -> r.outcome() == Outcome.MISMATCH).toList();
        }

        public List<String> created() {
            return results.stream()
                    .filter(r -> r.outcome() == Outcome.CREATED)
                    .map(Result::topic)
                    .toList();
        }
    }

    private static final long VISIBLE_TIMEOUT_NANOS = 30_000_000_000L;

    private final Admin admin;
    private final short replicationFactor;

    public TopicSetup(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    /** Creates what is missing, checks what exists, logs one line per created or mismatched topic. */
    public Report apply(Collection<Topic<?>> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<Result> results = new ArrayList<>();
            for (Topic<?> topic : topics) {
                results.add(existing.contains(topic.name()) ? check(topic) : create(topic));
            }
            Report report = new Report(results);
            report.results().forEach(r -> {
                if (r.outcome() == Outcome.CREATED) {
                    LOG.info("topic {} created", r.topic());
                } else if (r.outcome() == Outcome.MISMATCH) {
                    LOG.warn(
                            "topic {} exists with other settings than declared, left unchanged: {}",
                            r.topic(),
                            String.join("; ", r.differences()));
                }
            });
            return report;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during topic setup", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "topic setup failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * A topic's declared settings, plus {@code min.insync.replicas} where there are replicas to
     * spare: 2 from replication factor 3 (a write every service makes with {@code acks=all} is then
     * on two brokers before it counts, and one broker can be lost without refusing writes); below 3
     * the broker's default.
     */
    public static Map<String, String> configs(Map<String, String> declared, short replicationFactor) {
        if (replicationFactor < 3 || declared.containsKey(MIN_INSYNC_REPLICAS)) {
            return declared;
        }
        Map<String, String> out = new TreeMap<>(declared);
        out.put(MIN_INSYNC_REPLICAS, "2");
        return out;
    }

    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    private Result create(Topic<?> topic) throws InterruptedException, ExecutionException {
        NewTopic newTopic = new NewTopic(topic.name(), topic.partitions(), replicationFactor)
                .configs(configs(topic.configs(), replicationFactor));
        try {
            admin.createTopics(List.of(newTopic)).all().get();
            awaitVisible(topic.name());
            return new Result(topic.name(), Outcome.CREATED, List.of());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return check(topic); // another instance created it a moment ago
            }
            if (e.getCause() instanceof TopicAuthorizationException) {
                throw new IllegalStateException(
                        "topic " + topic.name() + " does not exist (or this principal may not "
                                + "describe it) and this principal may not create it: an administrator creates the topics "
                                + "('xray-drift topics setup' with admin credentials) and grants this service its ACLs "
                                + "('xray-drift topics acls')",
                        e.getCause());
            }
            throw e;
        }
    }

    /**
     * A created topic's metadata reaches the brokers a moment after the controller accepts it;
     * wait until it can be described with a leader for every partition, so a check right after
     * a creation (here or in another instance) does not race it.
     */
    private TopicDescription awaitVisible(String name) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + VISIBLE_TIMEOUT_NANOS;
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get()
                        .get(name);
                if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return d;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " has partitions without a leader after "
                        + VISIBLE_TIMEOUT_NANOS / 1_000_000_000 + " s");
            }
            Thread.sleep(50);
        }
    }

    private Result check(Topic<?> topic) throws InterruptedException, ExecutionException {
        List<String> differences = new ArrayList<>();
        TopicDescription description = awaitVisible(topic.name());
        int partitions = description.partitions().size();
        if (partitions != topic.partitions()) {
            differences.add("partitions: declared " + topic.partitions() + ", actual " + partitions);
        }
        int replicas = description.partitions().get(0).replicas().size();
        if (replicas != replicationFactor) {
            differences.add("replication factor: configured " + replicationFactor + ", actual " + replicas);
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        Config actual = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        Map<String, String> actualValues = actual.entries().stream()
                .filter(e -> e.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        new TreeMap<>(configs(topic.configs(), replicationFactor)).forEach((key, declared) -> {
            String value = actualValues.get(key);
            if (!declared.equals(value)) {
                differences.add(key + ": declared " + declared + ", actual " + value);
            }
        });
        return new Result(
                topic.name(), differences.isEmpty() ? Outcome.MATCHES : Outcome.MISMATCH, List.copyOf(differences));
    }
}
