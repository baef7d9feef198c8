package io.xraydrift.ingest.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;

/**
 * Consumes the intake topic exactly once: each batch's accepted scans (event + thumbnail) and
 * refusals (dead letters) are written in one transaction with the consumer offsets. Dead letters
 * of intake records carry no original bytes — those hold the raw patient identifier — but point
 * at the intake record (topic, partition, offset) for a replay.
 */
final class IntakeLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeLoop.class);

    private final Ingestor ingestor;
    private final ImageFetcher fetcher;
    private final RecentScans recent;
    private final IngestCounters counters;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Deserializer<ScanIntake> intake;
    private final Serializer<ScanReceived> scans;
    private final Serializer<ScanThumbnail> thumbnails;
    private final Serializer<DeadLetter> deadLetters;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final CountDownLatch finished = new CountDownLatch(1);

    IntakeLoop(IngestConfig config, EventSerdes serdes, Ingestor ingestor, ImageFetcher fetcher, RecentScans recent,
               IngestCounters counters, io.xraydrift.platform.http.Metrics metrics) {
        this.ingestor = ingestor;
        this.fetcher = fetcher;
        this.recent = recent;
        this.counters = counters;
        Map<String, Object> c = new HashMap<>(config.common().kafka().clientProperties(config.common().clientId("intake")));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, ServiceAccess.INGEST.prefix());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 32);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> p = new HashMap<>(config.common().kafka().clientProperties(config.common().clientId("producer")));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ServiceAccess.INGEST.transactionalId(config.common().instanceId()));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.intake = serdes.valueDeserializer(Topics.INTAKE);
        this.scans = serdes.valueSerializer(Topics.SCANS);
        this.thumbnails = serdes.valueSerializer(Topics.THUMBNAILS);
        this.deadLetters = serdes.valueSerializer(Topics.DEAD_LETTER);
        metrics.bind(consumer);
        metrics.bind(producer);
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(Set.of(Topics.INTAKE.name()));
            while (running.get()) {
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(200)).forEach(batch::add);
                if (!batch.isEmpty() && running.get()) {
                    process(batch);
                }
            }
        } catch (WakeupException e) {
            // stop() woke the consumer
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            healthy.set(false);
            LOG.error("intake loop stopped: {}", e.toString());
        } catch (RuntimeException e) {
            healthy.set(false);
            LOG.error("intake loop failed", e);
        } finally {
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
            running.set(false);
            finished.countDown();
        }
    }

    /** One outcome per record, computed in parallel (decoding and re-encoding images is the work). */
    private record Outcome(ConsumerRecord<String, byte[]> record, Ingestor.Accepted accepted, DeadLetter dead) {
    }

    private void process(List<ConsumerRecord<String, byte[]>> batch) {
        Instant now = Instant.now();
        List<Outcome> outcomes;
        try {
            outcomes = batch.parallelStream().map(r -> outcome(r, now)).toList();
        } catch (RegistryUnavailableException e) {
            // Not the records' fault: nothing of the batch is written, it is read again.
            LOG.warn("batch of {} intake records not ingested, read again from the committed offsets: {}",
                    batch.size(), e.getMessage());
            Transactions.rewindToCommitted(consumer);
            return;
        }
        List<String> written = new ArrayList<>();
        try {
            producer.beginTransaction();
            for (Outcome o : outcomes) {
                if (o.dead() != null) {
                    producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), DeadLetters.key(o.dead()),
                            deadLetters.serialize(Topics.DEAD_LETTER.name(), o.dead())));
                    LOG.warn("dead letter: {}", o.dead().getReason());
                    continue;
                }
                Ingestor.Accepted a = o.accepted();
                RecentScans.Claim claim = recent.claim(a.scan().getScanId(), a.scan().getPatient());
                if (claim == RecentScans.Claim.DUPLICATE) {
                    counters.duplicate("intake");
                    continue;
                }
                if (claim == RecentScans.Claim.CONFLICT) {
                    DeadLetter d = dead(o.record(), "intake record at " + o.record().topic() + "["
                            + o.record().partition() + "]@" + o.record().offset() + ": scan " + a.scan().getScanId()
                            + " (its SOP Instance UID) came before for patient " + recent.patientOf(a.scan().getScanId())
                            + "; now for patient " + a.scan().getPatient() + ": refused as a conflict", null).dead();
                    producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), DeadLetters.key(d),
                            deadLetters.serialize(Topics.DEAD_LETTER.name(), d)));
                    LOG.warn("dead letter: {}", d.getReason());
                    counters.rejected("intake");
                    continue;
                }
                written.add(a.scan().getScanId());
                producer.send(new ProducerRecord<>(Topics.SCANS.name(), a.scan().getPatient(),
                        scans.serialize(Topics.SCANS.name(), a.scan())));
                producer.send(new ProducerRecord<>(Topics.THUMBNAILS.name(), a.thumbnail().getScanId(),
                        thumbnails.serialize(Topics.THUMBNAILS.name(), a.thumbnail())));
            }
            producer.sendOffsetsToTransaction(Transactions.nextOffsets(batch), consumer.groupMetadata());
            Transactions.commit(producer, running::get, LOG, "the intake batch");
            for (Outcome o : outcomes) {
                if (o.dead() != null) {
                    counters.rejected("intake");
                }
            }
            counters.accepted("intake", written.size());
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("transaction aborted, batch will be retried: {}", e.toString());
            written.forEach(recent::forget);
            producer.abortTransaction();
            Transactions.rewindToCommitted(consumer);
        }
    }

    private Outcome outcome(ConsumerRecord<String, byte[]> record, Instant now) {
        String where = record.topic() + "[" + record.partition() + "]@" + record.offset();
        ScanIntake event;
        try {
            event = intake.deserialize(record.topic(), record.value());
        } catch (RegistryUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return dead(record, "record at " + where + " is not a ScanIntake: " + e.getMessage(), e);
        }
        if (event == null) {
            return dead(record, "record at " + where + " is empty (a tombstone on the intake topic)", null);
        }
        try {
            byte[] image = image(event, where);
            Submission s = new Submission(event.getPatientId(), event.getAcquiredAt(), event.getSource(),
                    event.getView(), event.getModality(), event.getSopInstanceUid(), image,
                    event.getPhotometricInterpretation(), event.getReferenceLabel(), event.getReferenceSeverity(),
                    event.getAttributes());
            return new Outcome(record, ingestor.ingest(s, now), null);
        } catch (Rejected e) {
            return dead(record, "intake record at " + where + " from '" + event.getSource() + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            return dead(record, "intake record at " + where + " failed: " + e, e);
        }
    }

    private byte[] image(ScanIntake event, String where) throws Rejected {
        if (event.getImage() != null && event.getImageUri() != null) {
            throw Rejected.invalid("image", "both image and imageUri are set; exactly one must be");
        }
        if (event.getImage() == null && event.getImageUri() == null) {
            throw Rejected.invalid("image", "neither image nor imageUri is set");
        }
        if (event.getImageUri() != null) {
            return fetcher.fetch(event.getImageUri());
        }
        byte[] b = new byte[event.getImage().remaining()];
        event.getImage().duplicate().get(b);
        return b;
    }

    /** A dead letter without the original bytes: they hold the raw patient identifier. */
    private static Outcome dead(ConsumerRecord<String, byte[]> record, String reason, Throwable error) {
        DeadLetter d = DeadLetters.of("ingest", record, reason, error);
        d.setOriginalBytes(null);
        return new Outcome(record, null, d);
    }

    boolean healthy() {
        return healthy.get() && (running.get() || finished.getCount() > 0);
    }

    void stop() {
        running.set(false);
        consumer.wakeup();
        try {
            finished.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
