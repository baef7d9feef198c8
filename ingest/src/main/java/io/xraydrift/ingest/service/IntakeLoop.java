package io.xraydrift.ingest.service;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanIntake;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Ingestor;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.TransactionalLoop;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Consumes the intake topic exactly once: each batch's accepted scans (event + thumbnail) and
 * refusals (dead letters) are written in one transaction with the consumer offsets. Dead letters
 * of intake records carry no original bytes — those hold the raw patient identifier — but point
 * at the intake record (topic, partition, offset) for a replay.
 */
final class IntakeLoop implements Runnable, TransactionalLoop.Processor {

    private final Ingestor ingestor;
    private final ImageFetcher fetcher;
    private final RecentScans recent;
    private final IngestCounters counters;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<ScanIntake> intake;
    private final Serializer<ScanReceived> scans;
    private final Serializer<ScanThumbnail> thumbnails;
    private final Serializer<SealedIdentifiers> identifiers;
    private final Serializer<DeadLetter> deadLetters;
    private final TransactionalLoop loop;

    IntakeLoop(
            IngestConfig config,
            EventSerdes serdes,
            Ingestor ingestor,
            ImageFetcher fetcher,
            RecentScans recent,
            IngestCounters counters,
            Metrics metrics) {
        this.ingestor = ingestor;
        this.fetcher = fetcher;
        this.recent = recent;
        this.counters = counters;
        this.consumer = Transactions.consumer(
                config.common(),
                "intake",
                ServiceAccess.INGEST.prefix(),
                32,
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 24 * 1024 * 1024));
        Supplier<Producer<String, byte[]>> producers = () -> {
            KafkaProducer<String, byte[]> p = Transactions.producer(
                    config.common(),
                    ServiceAccess.INGEST.transactionalId(config.common().instanceId()),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024));
            metrics.bind(p);
            return p;
        };
        this.intake = serdes.valueDeserializer(Topics.INTAKE);
        this.scans = serdes.valueSerializer(Topics.SCANS);
        this.thumbnails = serdes.valueSerializer(Topics.THUMBNAILS);
        this.identifiers = serdes.valueSerializer(Topics.REIDENTIFICATION);
        this.deadLetters = serdes.valueSerializer(Topics.DEAD_LETTER);
        metrics.bind(consumer);
        this.loop = new TransactionalLoop(
                "intake loop",
                consumer,
                producers,
                Set.of(Topics.INTAKE.name()),
                TransactionalLoop.Batching.singlePoll(Duration.ofMillis(200)),
                this);
    }

    @Override
    public void run() {
        loop.run();
    }

    /** One outcome per record, computed in parallel (decoding and re-encoding images is the work). */
    private record Outcome(ConsumerRecord<String, byte[]> record, Ingestor.Accepted accepted, DeadLetter dead) {}

    @Override
    public TransactionalLoop.Output process(List<ConsumerRecord<String, byte[]>> batch) {
        Instant now = Instant.now();
        // A registry outage (RegistryUnavailableException) propagates: the loop reads the batch again.
        List<Outcome> outcomes =
                batch.parallelStream().map(r -> outcome(r, now)).toList();
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<String> written = new ArrayList<>();
        int[] rejected = {0};
        try {
            for (Outcome o : outcomes) {
                if (o.dead() != null) {
                    out.add(deadLetter(o.dead()));
                    rejected[0]++;
                    continue;
                }
                Ingestor.Accepted a = o.accepted();
                try {
                    if (!Admission.claimNew(recent, a)) {
                        counters.duplicate("intake");
                        continue;
                    }
                } catch (Rejected e) {
                    out.add(deadLetter(dead(
                                    o.record(),
                                    "intake record at " + o.record().topic() + "["
                                            + o.record().partition() + "]@"
                                            + o.record().offset() + ": " + e.getMessage(),
                                    e)
                            .dead()));
                    rejected[0]++;
                    continue;
                }
                written.add(a.scan().getScanId());
                out.add(new ProducerRecord<>(
                        Topics.SCANS.name(), a.scan().getPatient(), scans.serialize(Topics.SCANS.name(), a.scan())));
                out.add(new ProducerRecord<>(
                        Topics.THUMBNAILS.name(),
                        a.thumbnail().getScanId(),
                        thumbnails.serialize(Topics.THUMBNAILS.name(), a.thumbnail())));
                if (a.sealed() != null) {
                    out.add(new ProducerRecord<>(
                            Topics.REIDENTIFICATION.name(),
                            a.sealed().getScanId(),
                            identifiers.serialize(Topics.REIDENTIFICATION.name(), a.sealed())));
                }
            }
        } catch (RuntimeException e) {
            written.forEach(recent::forget);
            throw e;
        }
        return new TransactionalLoop.Output(
                out,
                () -> {
                    counters.rejected("intake", rejected[0]);
                    counters.accepted("intake", written.size());
                },
                () -> written.forEach(recent::forget));
    }

    private ProducerRecord<String, byte[]> deadLetter(DeadLetter d) {
        return DeadLetters.record(d, deadLetters);
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
            Submission s = new Submission(
                    event.getPatientId(),
                    event.getAcquiredAt(),
                    event.getSource(),
                    event.getView(),
                    event.getModality(),
                    event.getSopInstanceUid(),
                    image,
                    event.getPhotometricInterpretation(),
                    event.getReferenceLabel(),
                    event.getReferenceSeverity(),
                    event.getAttributes());
            return new Outcome(record, ingestor.ingest(s, now), null);
        } catch (Rejected e) {
            return dead(record, "intake record at " + where + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (!loop.running()) {
                throw new TransactionalLoop.Stopping(e); // a failure while stopping is not the scan's fault
            }
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
        return loop.alive();
    }

    void stop() {
        loop.stop();
    }
}
