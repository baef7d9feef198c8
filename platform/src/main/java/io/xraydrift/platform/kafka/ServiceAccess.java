package io.xraydrift.platform.kafka;

import io.xraydrift.schemas.Topic;
import io.xraydrift.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each service may do on Kafka, declared once: the topics it reads and writes, and the
 * prefix of its consumer groups and transactional ids (and, for the Kafka Streams drift monitor,
 * of its internal topics). The services name their groups and transactional ids from it, topic
 * setup checks only its topics, and {@link #acls} turns it into the least-privilege ACLs a
 * hospital grants each service's principal. No service may create the declared topics: an
 * administrator does ({@code xray-drift topics setup}).
 */
public enum ServiceAccess {
    INGEST(
            "ingest",
            List.of(Topics.INTAKE),
            List.of(Topics.SCANS, Topics.THUMBNAILS, Topics.DEAD_LETTER, Topics.AUDIT, Topics.REIDENTIFICATION),
            "xray-ingest",
            false),
    EMBEDDER("embedder", List.of(Topics.SCANS), List.of(Topics.EMBEDDINGS, Topics.DEAD_LETTER), "xray-embedder", false),
    INDEXER(
            "indexer",
            List.of(Topics.EMBEDDINGS),
            List.of(Topics.NEIGHBOURS, Topics.DEAD_LETTER),
            "xray-indexer",
            false),
    DRIFT_MONITOR(
            "drift-monitor",
            List.of(Topics.NEIGHBOURS, Topics.THUMBNAILS),
            List.of(Topics.ALERTS, Topics.TRAJECTORIES, Topics.DEAD_LETTER),
            "xray-drift-monitor",
            true),
    /**
     * Alerts out to the hospital (HL7 v2 over MLLP, FHIR R4): one consumer group per peer under its
     * prefix; the only reader of the sealed identifiers (re-identification at the hospital edge).
     */
    ALERT_OUT(
            "alert-out",
            List.of(Topics.ALERTS, Topics.REIDENTIFICATION),
            List.of(Topics.DEAD_LETTER),
            "xray-alert-out",
            false);

    private final String service;
    private final List<Topic<?>> reads;
    private final List<Topic<?>> writes;
    private final String prefix;
    private final boolean internalTopics;

    ServiceAccess(String service, List<Topic<?>> reads, List<Topic<?>> writes, String prefix, boolean internalTopics) {
        this.service = service;
        this.reads = reads;
        this.writes = writes;
        this.prefix = prefix;
        this.internalTopics = internalTopics;
    }

    /** The service's name, as in its config ({@code ingest}, {@code drift-monitor}, ...). */
    public String service() {
        return service;
    }

    /** The SASL user the service runs as unless an operator names another: {@code xray-SERVICE}. */
    public String defaultUser() {
        return "xray-" + service;
    }

    /** Topics it consumes. */
    public List<Topic<?>> reads() {
        return reads;
    }

    /** Topics it produces to. */
    public List<Topic<?>> writes() {
        return writes;
    }

    /** Every topic it uses, reads first. */
    public List<Topic<?>> topics() {
        Set<Topic<?>> all = new LinkedHashSet<>(reads);
        all.addAll(writes);
        return List.copyOf(all);
    }

    /**
     * The prefix of its consumer group ids and transactional ids (for the drift monitor: the
     * default Kafka Streams application id, which also prefixes its internal topics).
     */
    public String prefix() {
        return prefix;
    }

    /** A transactional id of this service: the prefix, a dash, then {@code parts} joined by dashes. */
    public String transactionalId(String... parts) {
        return prefix + "-" + String.join("-", parts);
    }

    /** The service of that name, if it is one of the four. */
    public static Optional<ServiceAccess> of(String service) {
        for (ServiceAccess a : values()) {
            if (a.service.equals(service)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The service named on a command line: {@code ingest}, {@code embedder}, {@code indexer}, {@code drift-monitor}. */
    public static ServiceAccess parse(String service) {
        return of(service.trim().toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new IllegalArgumentException(
                        "'" + service + "' is not a service: ingest, embedder, indexer or drift-monitor"));
    }

    /** The ACLs this service's principal needs, with the declared prefix. */
    public List<AclBinding> acls(String principal) {
        return acls(principal, prefix);
    }

    /**
     * The ACLs this service's principal (e.g. {@code User:xray-ingest}) needs and no more, for
     * groups, transactional ids (and Streams internal topics) under {@code prefix}: read its input
     * topics, write its output topics, describe both (and their configs, which topic setup
     * checks); no create, delete or alter on any declared topic.
     */
    public List<AclBinding> acls(String principal, String prefix) {
        List<AclBinding> acls = new ArrayList<>();
        for (Topic<?> topic : topics()) {
            ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL);
            acls.add(allow(pattern, principal, AclOperation.DESCRIBE));
            acls.add(allow(pattern, principal, AclOperation.DESCRIBE_CONFIGS));
            if (reads.contains(topic)) {
                acls.add(allow(pattern, principal, AclOperation.READ));
            }
            if (writes.contains(topic)) {
                acls.add(allow(pattern, principal, AclOperation.WRITE));
            }
        }
        ResourcePattern groups = new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED);
        acls.add(allow(groups, principal, AclOperation.READ));
        acls.add(allow(groups, principal, AclOperation.DESCRIBE));
        ResourcePattern transactions = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED);
        acls.add(allow(transactions, principal, AclOperation.WRITE));
        acls.add(allow(transactions, principal, AclOperation.DESCRIBE));
        if (internalTopics) {
            // Kafka Streams creates, reads, writes and purges its repartition and changelog topics.
            ResourcePattern internal = new ResourcePattern(ResourceType.TOPIC, prefix + "-", PatternType.PREFIXED);
            for (AclOperation op : List.of(
                    AclOperation.CREATE,
                    AclOperation.READ,
                    AclOperation.WRITE,
                    AclOperation.DELETE,
                    AclOperation.DESCRIBE,
                    AclOperation.DESCRIBE_CONFIGS)) {
                acls.add(allow(internal, principal, op));
            }
        }
        return List.copyOf(acls);
    }

    /** A hospital feed's ACLs: write (and describe) the intake topic, nothing else. */
    public static List<AclBinding> feedAcls(String principal) {
        ResourcePattern intake = new ResourcePattern(ResourceType.TOPIC, Topics.INTAKE.name(), PatternType.LITERAL);
        return List.of(allow(intake, principal, AclOperation.WRITE), allow(intake, principal, AclOperation.DESCRIBE));
    }

    /**
     * An alert consumer's ACLs (a ward dashboard, paging, an EHR integration): read the alerts and
     * the trajectories, in consumer groups under {@code groupPrefix}.
     */
    public static List<AclBinding> alertReaderAcls(String principal, String groupPrefix) {
        List<AclBinding> acls = new ArrayList<>();
        for (Topic<?> topic : List.of(Topics.ALERTS, Topics.TRAJECTORIES)) {
            ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL);
            acls.add(allow(pattern, principal, AclOperation.READ));
            acls.add(allow(pattern, principal, AclOperation.DESCRIBE));
        }
        ResourcePattern groups = new ResourcePattern(ResourceType.GROUP, groupPrefix, PatternType.PREFIXED);
        acls.add(allow(groups, principal, AclOperation.READ));
        acls.add(allow(groups, principal, AclOperation.DESCRIBE));
        return List.copyOf(acls);
    }

    private static AclBinding allow(ResourcePattern pattern, String principal, AclOperation op) {
        return new AclBinding(pattern, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }
}
