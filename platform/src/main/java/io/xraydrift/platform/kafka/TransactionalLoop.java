package io.xraydrift.platform.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one transactional consume-process-produce loop of the pipeline (ingest's intake, the
 * embedder, the indexer's answers): poll a batch, let the service turn it into records, write
 * them and the batch's offsets in one transaction.
 * <ul>
 * <li>The broker or the registry not answering ({@link RetriableException}, e.g. a registry
 * outage, a send or offset commit that timed out) is not the batch's fault: nothing of it is
 * committed; after a pause it is read again from the committed offsets.</li>
 * <li>A commit that timed out is retried, never aborted (the producer forbids that); any other
 * failed transaction is aborted (an abort that times out is retried) and the batch read again —
 * so a broker that goes away past the transaction timeout mid-batch costs a retry, not a scan.</li>
 * <li>A broker that does not answer at start is waited for: initialising transactions is retried.</li>
 * <li>A rebalance while a batch is being gathered drops the batch's records of the partitions it took
 * (their new owner reads them from the committed offsets): written with the new generation's
 * offsets they would be written twice, once by each owner.</li>
 * <li>Being fenced ({@link ProducerFencedException}, {@link InvalidProducerEpochException}: a
 * broker restart or a transaction timeout bumped the epoch) is recovered in process, as Kafka
 * Streams does: the open batch is given up, a new producer takes the transactional id and the batch
 * is read again from the committed offsets — at most {@value #MAX_FENCINGS_PER_MINUTE} times a minute,
 * so two instances sharing one transactional id still surface as an error.</li>
 * <li>Being fenced more often than that, an out-of-order sequence or a missing ACL ends the loop:
 * {@link #alive()} turns false, liveness reports DOWN and the service exits non-zero, so an
 * orchestrator restarts it. So does any unexpected exception.</li>
 * </ul>
 */
public final class TransactionalLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalLoop.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Fencings recovered from within a minute; one more ends the loop (two instances share an id). */
    static final int MAX_FENCINGS_PER_MINUTE = 3;

    /**
     * What a processor throws for a batch it could not finish because the loop is stopping (something
     * it needs was closed under it at SIGTERM): not the batch's fault, so nothing of it is
     * dead-lettered; it is not written, and the next owner reads it again.
     */
    public static final class Stopping extends RetriableException {

        public Stopping(Throwable cause) {
            super("stopping mid-batch: " + cause, cause);
        }
    }

    /** Records to write for one batch, and what to do once they are committed or aborted. */
    public record Output(List<ProducerRecord<String, byte[]>> records, Runnable onCommit, Runnable onAbort) {

        public Output {
            records = List.copyOf(records);
            Objects.requireNonNull(onCommit, "onCommit");
            Objects.requireNonNull(onAbort, "onAbort");
        }

        public static Output of(List<ProducerRecord<String, byte[]>> records, Runnable onCommit) {
            return new Output(records, onCommit, () -> {});
        }
    }

    /** What a service does in the loop. Only {@link #process} is required. */
    public interface Processor {

        /** Once, on the loop's thread, before the first poll (after the producer's transactions are initialised). */
        default void starting() throws Exception {}

        /**
         * The batch's output. Throw a {@link RetriableException} when the batch cannot be processed for
         * a reason that is not its own (the registry does not answer): it is read again.
         */
        Output process(List<ConsumerRecord<String, byte[]>> batch) throws Exception;

        /** A poll brought nothing. */
        default void idle() throws Exception {}

        /** After every poll and its batch, written or not. */
        default void afterPoll() throws Exception {}

        /** The consumer's assignment changed. */
        default void assigned(Collection<TopicPartition> partitions) {}

        /** On the loop's thread as it ends; {@code cleanly} is false when it ended on an error. */
        default void finished(boolean cleanly) {}
    }

    /**
     * How batches are gathered: poll for up to {@code pollTimeout}; once a record is in hand keep
     * polling for up to {@code maxWait} while the batch is below {@code maxBatch} records (a batch
     * that reaches it pauses fetching until it is written).
     */
    public record Batching(Duration pollTimeout, int maxBatch, Duration maxWait) {

        public static Batching singlePoll(Duration pollTimeout) {
            return new Batching(pollTimeout, Integer.MAX_VALUE, Duration.ZERO);
        }
    }

    private final String name;
    private final Consumer<String, byte[]> consumer;
    private Producer<String, byte[]> producer;
    private final Supplier<Producer<String, byte[]>> producers;
    private final Deque<Long> fencings = new ArrayDeque<>();
    private final AtomicLong recovered = new AtomicLong();
    private final Set<String> topics;
    private final Batching batching;
    private final Processor processor;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean failed = new AtomicBoolean(false);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object pause = new Object();
    /** The batch being gathered by {@link #nextBatch} (a rebalance inside its polls may shrink it). */
    private List<ConsumerRecord<String, byte[]>> gathering = new ArrayList<>();

    /**
     * @param name      what the loop is, for logs ("intake loop")
     * @param consumer  a consumer in a group, auto-commit off, read_committed
     * @param producer  a transactional producer (not yet initialised)
     * @param topics    the topics it consumes
     */
    public TransactionalLoop(
            String name,
            Consumer<String, byte[]> consumer,
            Producer<String, byte[]> producer,
            Set<String> topics,
            Batching batching,
            Processor processor) {
        this(name, consumer, producer, null, topics, batching, processor);
    }

    /**
     * A loop that recovers from being fenced: {@code producers} makes a new transactional producer
     * (the same transactional id, not yet initialised) each time the one in use is fenced.
     */
    public TransactionalLoop(
            String name,
            Consumer<String, byte[]> consumer,
            Supplier<Producer<String, byte[]>> producers,
            Set<String> topics,
            Batching batching,
            Processor processor) {
        this(name, consumer, producers.get(), producers, topics, batching, processor);
    }

    private TransactionalLoop(
            String name,
            Consumer<String, byte[]> consumer,
            Producer<String, byte[]> producer,
            Supplier<Producer<String, byte[]>> producers,
            Set<String> topics,
            Batching batching,
            Processor processor) {
        this.name = name;
        this.consumer = consumer;
        this.producer = producer;
        this.producers = producers;
        this.topics = Set.copyOf(topics);
        this.batching = batching;
        this.processor = processor;
    }

    @Override
    public void run() {
        boolean cleanly = false;
        try {
            if (!initTransactions()) {
                cleanly = true; // asked to stop before the broker answered
                return;
            }
            processor.starting();
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    dropRecordsOf(revoked);
                    processor.assigned(consumer.assignment());
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    dropRecordsOf(lost);
                    processor.assigned(consumer.assignment());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> added) {
                    processor.assigned(consumer.assignment());
                }
            });
            while (running.get()) {
                List<ConsumerRecord<String, byte[]>> batch = nextBatch();
                try {
                    if (batch.isEmpty()) {
                        processor.idle();
                    } else if (running.get()) {
                        write(batch, processor.process(batch));
                    }
                } catch (RetriableException e) {
                    LOG.warn(
                            "{}: batch of {} records not written, read again from the committed offsets: {}",
                            name,
                            batch.size(),
                            e.toString());
                    sleep(RETRY_PAUSE);
                    rewind();
                } catch (KafkaException e) {
                    // Fenced, also when it surfaces wrapped (a send failed in the transaction, then its abort).
                    if (!fenced(e) || !recoverFromFencing(e)) {
                        throw e;
                    }
                } finally {
                    consumer.resume(consumer.paused());
                }
                processor.afterPoll();
            }
            cleanly = true;
        } catch (WakeupException e) {
            cleanly = !running.get(); // stop() woke the consumer
            if (!cleanly) {
                failed.set(true);
                LOG.error("{} woken while running", name, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cleanly = !running.get();
        } catch (ProducerFencedException
                | InvalidProducerEpochException
                | OutOfOrderSequenceException
                | AuthorizationException e) {
            failed.set(true);
            LOG.error("{} stopped: {}", name, e.toString());
        } catch (Exception e) {
            failed.set(true);
            LOG.error("{} failed", name, e);
        } finally {
            try {
                processor.finished(cleanly);
            } finally {
                producer.close(CLOSE_TIMEOUT);
                consumer.close(CLOSE_TIMEOUT);
                running.set(false);
                finished.countDown();
            }
        }
    }

    /**
     * Initialises the producer's transactions, retrying while the broker does not answer (a
     * service started during an outage waits for it instead of exiting). False if asked to stop first.
     */
    private boolean initTransactions() {
        while (running.get()) {
            try {
                producer.initTransactions();
                return true;
            } catch (TimeoutException e) {
                LOG.warn(
                        "{}: transactions not initialised, the broker does not answer; retrying: {}",
                        name,
                        e.toString());
            }
        }
        return false;
    }

    private List<ConsumerRecord<String, byte[]>> nextBatch() {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        gathering = batch;
        long deadline = 0;
        do {
            long wait = batch.isEmpty()
                    ? batching.pollTimeout().toMillis()
                    : Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            consumer.poll(Duration.ofMillis(wait)).forEach(batch::add);
            if (!batch.isEmpty() && deadline == 0) {
                deadline = System.nanoTime() + batching.maxWait().toNanos();
            }
            if (batch.size() >= batching.maxBatch()) {
                consumer.pause(consumer.assignment()); // backpressure until this batch is written
            }
        } while (running.get()
                && !batch.isEmpty()
                && batch.size() < batching.maxBatch()
                && System.nanoTime() < deadline);
        gathering = new ArrayList<>(); // the batch is the loop's now; nothing is gathered until the next call
        return batch;
    }

    /**
     * A rebalance (inside a poll) took {@code partitions} from the loop: the records of theirs in the
     * batch being gathered belong to their new owner, which reads them from the committed offsets
     * (and so does this loop, should a partition come back). Written here, they would be written
     * twice — the group coordinator takes offsets of the new generation for any partition.
     */
    private void dropRecordsOf(Collection<TopicPartition> partitions) {
        int before = gathering.size();
        gathering.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        if (gathering.size() < before) {
            LOG.info(
                    "{}: {} records of partitions taken by a rebalance dropped from the batch in hand; "
                            + "their owner reads them again from the committed offsets",
                    name,
                    before - gathering.size());
        }
    }

    private void write(List<ConsumerRecord<String, byte[]>> batch, Output out) {
        try {
            producer.beginTransaction();
            out.records().forEach(producer::send);
            producer.sendOffsetsToTransaction(Transactions.nextOffsets(batch), consumer.groupMetadata());
            if (Transactions.commit(producer, running::get, LOG, "the " + name + "'s batch")) {
                out.onCommit().run();
            } else {
                out.onAbort().run(); // stopping with the commit unconfirmed: the next owner reads the batch again
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            out.onAbort().run(); // the batch is given up; it is read again under a new producer, or by the new owner
            throw e;
        } catch (OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn(
                    "{}: transaction aborted, the batch of {} records is read again: {}",
                    name,
                    batch.size(),
                    e.toString());
            out.onAbort().run();
            abort();
            rewind();
        }
    }

    /**
     * After being fenced: a new producer takes the transactional id (fencing whatever still holds it)
     * and the consumer goes back to the committed offsets — unless that happened
     * {@value #MAX_FENCINGS_PER_MINUTE} times in the last minute, or the loop cannot make producers:
     * false, and the loop ends.
     */
    private boolean recoverFromFencing(KafkaException e) {
        long now = System.nanoTime();
        while (!fencings.isEmpty()
                && now - fencings.peekFirst() > Duration.ofMinutes(1).toNanos()) {
            fencings.removeFirst();
        }
        if (producers == null || fencings.size() >= MAX_FENCINGS_PER_MINUTE) {
            if (producers != null) {
                LOG.error(
                        "{}: fenced {} times within a minute; another instance may share its transactional id",
                        name,
                        fencings.size() + 1);
            }
            return false;
        }
        fencings.addLast(now);
        LOG.warn(
                "{}: producer fenced ({}); a new producer takes the transactional id and the batch is read again",
                name,
                e.toString());
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException closing) {
            LOG.debug("{}: closing the fenced producer: {}", name, closing.toString());
        }
        producer = producers.get();
        if (initTransactions()) {
            rewind();
        }
        recovered.incrementAndGet();
        return true;
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** How many times the loop recovered from being fenced (a metric). */
    public long fencingsRecovered() {
        return recovered.get();
    }

    /** Aborts the open transaction; an abort that times out (the broker is away) is retried. */
    private void abort() {
        while (true) {
            try {
                producer.abortTransaction();
                return;
            } catch (TimeoutException e) {
                if (!running.get()) {
                    return;
                }
                LOG.warn("{}: abort timed out, retrying: {}", name, e.toString());
            }
        }
    }

    /** Back to the committed offsets; while the broker does not answer, keep trying. */
    private void rewind() {
        while (running.get()) {
            try {
                Transactions.rewindToCommitted(consumer);
                return;
            } catch (RetriableException e) {
                LOG.warn("{}: committed offsets not readable yet: {}", name, e.toString());
                sleep(RETRY_PAUSE);
            }
        }
    }

    private void sleep(Duration d) {
        synchronized (pause) {
            try {
                if (running.get()) {
                    pause.wait(d.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True until the loop is asked to stop or ends. */
    public boolean running() {
        return running.get();
    }

    /** False once the loop ended on an error: the service is no longer live. */
    public boolean alive() {
        return !failed.get();
    }

    /** Stops after the batch in hand (committing it) and waits up to 30 s for the loop to end. */
    public void stop() {
        running.set(false);
        synchronized (pause) {
            pause.notifyAll();
        }
        consumer.wakeup();
        await();
    }

    private void await() {
        try {
            finished.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
