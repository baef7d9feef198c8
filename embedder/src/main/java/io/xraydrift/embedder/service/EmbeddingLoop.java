package io.xraydrift.embedder.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.embedder.model.EmbeddingModel;
import io.xraydrift.embedder.model.ModelCard;
import io.xraydrift.embedder.model.Preprocessing;
import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ModelRef;
import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.platform.http.Metrics;
import io.xraydrift.platform.kafka.DeadLetters;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.platform.kafka.TransactionalLoop;
import io.xraydrift.platform.kafka.Transactions;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedder's consume-embed-produce loop, exactly once: poll up to {@code maxBatch} scans or
 * {@code maxWait}, embed them in one forward pass, and in one Kafka transaction write the vectors
 * (and any dead letters) together with the consumer offsets. A restart after a crash resumes from
 * the last committed batch; read_committed readers never see a vector twice. Input the model
 * cannot take becomes a dead letter with the reason; the loop goes on.
 */
final class EmbeddingLoop implements Runnable, TransactionalLoop.Processor {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingLoop.class);
    private static final String STAGE = "embedder";

    private final EmbedderConfig config;
    private final EmbeddingModel model;
    private final ModelRef modelRef;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<ScanReceived> scans;
    private final Serializer<ScanEmbedded> embeddings;
    private final Serializer<DeadLetter> deadLetters;
    private final TransactionalLoop loop;
    private final String group;
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter embedded;
    private final Counter deadLettered;
    private final Timer forward;
    private final DistributionSummary batchSize;

    EmbeddingLoop(EmbedderConfig config, EmbeddingModel model, EventSerdes serdes, Metrics metrics) {
        this.config = config;
        this.model = model;
        ModelCard.Levels levels = model.card().levels();
        this.modelRef = new ModelRef(
                model.card().id(),
                model.card().version(),
                model.card().embeddingSize(),
                levels == null ? null : levels.infected(),
                levels == null ? null : levels.severe());
        this.group = config.backfill()
                ? ServiceAccess.EMBEDDER.transactionalId(
                        "backfill", model.card().id(), model.card().version())
                : ServiceAccess.EMBEDDER.prefix();
        this.consumer = Transactions.consumer(
                config.common(),
                "consumer",
                group,
                config.maxBatch(),
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024));
        Supplier<Producer<String, byte[]>> producers = () -> {
            KafkaProducer<String, byte[]> p = Transactions.producer(
                    config.common(),
                    ServiceAccess.EMBEDDER.transactionalId(
                            group, config.common().instanceId()),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 24 * 1024 * 1024));
            metrics.bind(p);
            return p;
        };
        this.scans = serdes.valueDeserializer(Topics.SCANS);
        this.embeddings = serdes.valueSerializer(Topics.EMBEDDINGS);
        this.deadLetters = serdes.valueSerializer(Topics.DEAD_LETTER);
        MeterRegistry r = metrics.registry();
        metrics.bind(consumer);
        this.embedded = Counter.builder("xray_embedder_scans")
                .description("scans embedded")
                .register(r);
        this.deadLettered = Counter.builder("xray_embedder_dead_letters")
                .description("scans dead-lettered")
                .register(r);
        this.forward = Timer.builder("xray_embedder_forward")
                .description("forward pass per batch")
                .publishPercentiles(0.5, 0.99)
                .register(r);
        this.batchSize = DistributionSummary.builder("xray_embedder_batch_size")
                .description("scans per forward pass")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(r);
        r.gauge("xray_embedder_queue_depth", pending);
        this.loop = new TransactionalLoop(
                "embedding loop",
                consumer,
                producers,
                Set.of(Topics.SCANS.name()),
                new TransactionalLoop.Batching(Duration.ofMillis(200), config.maxBatch(), config.maxWait()),
                this);
        LOG.info(
                "embedder consuming {} as group {} with model {} version {} ({} floats) on {}",
                Topics.SCANS.name(),
                group,
                modelRef.getId(),
                modelRef.getVersion(),
                modelRef.getDimension(),
                model.device());
    }

    /** The consumer group it reads in (the backfill's own while backfilling). */
    String group() {
        return group;
    }

    @Override
    public void run() {
        loop.run();
    }

    @Override
    public TransactionalLoop.Output process(List<ConsumerRecord<String, byte[]>> batch) {
        pending.set(batch.size());
        try {
            return embed(batch);
        } finally {
            pending.set(0);
        }
    }

    private TransactionalLoop.Output embed(List<ConsumerRecord<String, byte[]>> batch) {
        List<ScanReceived> scanList = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        Preprocessing pre = model.preprocessing();
        for (ConsumerRecord<String, byte[]> record : batch) {
            ScanReceived scan;
            try {
                scan = scans.deserialize(record.topic(), record.value());
            } catch (RegistryUnavailableException e) {
                throw e; // not the record's fault: the loop reads the batch again
            } catch (RuntimeException e) {
                dead.add(DeadLetters.of(
                        STAGE,
                        record,
                        "record at " + record.topic() + "[" + record.partition() + "]@" + record.offset()
                                + " is not a ScanReceived: " + e.getMessage(),
                        e));
                continue;
            }
            try {
                inputs.add(pre.input(image(scan)));
                scanList.add(scan);
                sources.add(record);
            } catch (IllegalArgumentException e) {
                dead.add(DeadLetters.of(STAGE, record, "scan " + scan.getScanId() + ": " + e.getMessage(), e));
            }
        }
        List<float[]> vectors = List.of();
        if (!inputs.isEmpty()) {
            try {
                vectors = forward.record(() -> model.embed(inputs));
                batchSize.record(inputs.size());
            } catch (RuntimeException e) {
                if (!loop.running()) {
                    throw new TransactionalLoop.Stopping(e); // the model closed under a stop: not the scans' fault
                }
                for (int i = 0; i < scanList.size(); i++) {
                    dead.add(DeadLetters.of(
                            STAGE,
                            sources.get(i),
                            "scan " + scanList.get(i).getScanId() + ": the model could not take it: " + e.getMessage(),
                            e));
                }
                scanList.clear();
            }
        }
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < scanList.size(); i++) {
            ScanReceived scan = scanList.get(i);
            float[] v = vectors.get(i);
            int bad = firstNonFinite(v);
            if (bad >= 0) {
                dead.add(DeadLetters.of(
                        STAGE,
                        sources.get(i),
                        "scan " + scan.getScanId() + ": vector has " + v[bad] + " at index " + bad,
                        null));
                continue;
            }
            ScanEmbedded event = ScanEmbedded.newBuilder()
                    .setScanId(scan.getScanId())
                    .setPatient(scan.getPatient())
                    .setAcquiredAt(scan.getAcquiredAt())
                    .setReferenceLabel(scan.getReferenceLabel())
                    .setReferenceSeverity(scan.getReferenceSeverity())
                    .setModel(modelRef)
                    .setVector(boxed(v))
                    .setEmbeddedAt(now)
                    .build();
            out.add(new ProducerRecord<>(
                    Topics.EMBEDDINGS.name(),
                    scan.getPatient(),
                    embeddings.serialize(Topics.EMBEDDINGS.name(), event)));
        }
        int written = out.size();
        for (DeadLetter d : dead) {
            out.add(DeadLetters.record(d, deadLetters));
        }
        return TransactionalLoop.Output.of(out, () -> {
            embedded.increment(written);
            deadLettered.increment(dead.size());
        });
    }

    private static ByteBuffer image(ScanReceived scan) {
        if (scan.getImage() == null) {
            throw new IllegalArgumentException(
                    scan.getImageUri() == null
                            ? "carries no image"
                            : "carries only an image URI (" + scan.getImageUri()
                                    + "); the embedder needs the pixels inline");
        }
        return scan.getImage();
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    private static int firstNonFinite(float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    boolean healthy() {
        return loop.alive();
    }

    /** Stops after the current batch, committing it. */
    void stop() {
        loop.stop();
    }
}
