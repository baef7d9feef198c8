package io.xraydrift.platform.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xraydrift.platform.http.Health;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one consumer group for a stall: input waiting (the topics' end offsets, uncommitted
 * records included, past the group's committed offsets by more than a transaction's marker: see
 * {@link #waiting}) while the committed offsets do not move for
 * {@code stallAfter}. That is what a service stuck behind a hanging transaction, a blocked commit or
 * a dead partition owner looks like from outside — its loop may well be turning. Checked from its own
 * thread with an admin client every few seconds, so it sees a loop that is blocked too; readiness
 * reads {@link #problem()} (null when progressing), which names the partitions and how long.
 */
public final class ProgressWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressWatch.class);

    private final Admin admin;
    private final String group;
    private final Set<String> topics;
    private final Duration stallAfter;
    private final ScheduledExecutorService timer;
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private final Map<TopicPartition, Long> movedAt = new HashMap<>();
    private final AtomicLong stalls = new AtomicLong();
    private volatile String problem;

    public ProgressWatch(
            Map<String, Object> adminProperties,
            String group,
            Set<String> topics,
            Duration stallAfter,
            Duration every) {
        this.admin = Admin.create(adminProperties);
        this.group = group;
        this.topics = Set.copyOf(topics);
        this.stallAfter = stallAfter;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-watch-" + group);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the group is stalled (partitions, their lag, for how long), or null while it progresses. */
    public String problem() {
        return problem;
    }

    /** Stall episodes seen since start (a metric). */
    public long stalls() {
        return stalls.get();
    }

    /**
     * Reports it: a readiness check {@code check} that is DOWN while stalled and says why, and the
     * counter {@code xray_consumer_stalls_total} tagged with the group.
     */
    public ProgressWatch reportTo(Health health, MeterRegistry registry, String check) {
        health.registerProblem(check, this::problem);
        FunctionCounter.builder("xray_consumer_stalls_total", this, ProgressWatch::stalls)
                .description("episodes of input waiting while the consumer group committed nothing")
                .tag("group", group)
                .register(registry);
        return this;
    }

    void check() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            List<TopicPartition> parts = committed.keySet().stream()
                    .filter(tp -> topics.contains(tp.topic()))
                    .toList();
            Map<TopicPartition, OffsetSpec> latest =
                    parts.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            long now = System.nanoTime();
            StringBuilder stalled = new StringBuilder();
            for (TopicPartition tp : parts) {
                OffsetAndMetadata c = committed.get(tp);
                long at = c == null ? 0 : c.offset();
                Long before = lastCommitted.put(tp, at);
                if (before == null || before != at) {
                    movedAt.put(tp, now);
                }
                long lag = ends.get(tp).offset() - at;
                long still = now - movedAt.get(tp);
                if (waiting(lag, stable.get(tp).offset() < ends.get(tp).offset()) && still >= stallAfter.toNanos()) {
                    stalled.append(stalled.isEmpty() ? "" : ", ")
                            .append(tp)
                            .append(" (lag ")
                            .append(lag)
                            .append(")");
                }
            }
            String now2 = stalled.isEmpty()
                    ? null
                    : "consumer group " + group + " has input waiting and has committed nothing for at least "
                            + stallAfter.toSeconds() + " s: " + stalled;
            if (now2 != null && problem == null) {
                stalls.incrementAndGet();
                LOG.warn("stalled: {}", now2);
            } else if (now2 == null && problem != null) {
                LOG.info("consumer group {} progresses again", group);
            }
            problem = now2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The broker not answering is reported by the loops themselves; the last verdict stands.
            LOG.debug("progress of {} not checked now: {}", group, e.toString());
        }
    }

    /**
     * Whether input waits for the group. A transactional writer's commit ends with a marker that takes
     * an offset and is never handed to a consumer: a group that committed everything it read (its
     * last record's offset + 1, as the loops and Kafka Streams commit) sits one offset below the end
     * of an idle partition. So one offset past the committed one is input only while a transaction
     * is open there ({@code openTransaction}: the last stable offset below the end); two or more
     * always are. (A single record from a plain, non-transactional producer waits unseen until the
     * next arrives.)
     */
    static boolean waiting(long lag, boolean openTransaction) {
        return lag > 1 || lag == 1 && openTransaction;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
