package io.xraydrift.drift;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.xraydrift.drift.api.DriftApi;
import io.xraydrift.drift.topology.DeadLetterHandler;
import io.xraydrift.drift.topology.DriftTopology;
import io.xraydrift.platform.AbstractService;
import io.xraydrift.platform.ServiceShell;
import io.xraydrift.platform.http.HttpEndpoint;
import io.xraydrift.platform.kafka.TopicSetup;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift monitor: the Kafka Streams application (exactly-once, RocksDB store per patient) and
 * its HTTP API and web view, which answer from the local stores and route to the instance holding
 * a patient otherwise.
 */
public final class DriftMonitorService extends AbstractService {

    private static final Logger LOG = LoggerFactory.getLogger(DriftMonitorService.class);

    private final DriftMonitorConfig config;
    private final EventSerdes serdes;
    private final DriftApi api;
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;

    public DriftMonitorService(DriftMonitorConfig config) {
        this.config = config;
        this.serdes = config.common().kafka().serdes();
        this.api = new DriftApi(config, serdes);
    }

    @Override
    public String name() {
        return DriftMonitorConfig.SERVICE;
    }

    /** The topology this service runs. */
    public static Topology topology(DriftMonitorConfig config, EventSerdes serdes) {
        return DriftTopology.build(
                config.rule(),
                config.limits(),
                new DriftTopology.Codecs(
                        serdes.values(Topics.NEIGHBOURS),
                        serdes.values(Topics.ALERTS),
                        serdes.values(Topics.TRAJECTORIES),
                        serdes.values(Topics.DEAD_LETTER)),
                config.modelLevels());
    }

    /** The Streams properties this service runs with (advertising {@code httpPort} for query routing). */
    public static Properties streamsProperties(DriftMonitorConfig config, int httpPort) {
        Map<String, Object> p = new HashMap<>(config.common().kafka().serdes().config());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int)
                config.common().kafka().replicationFactor());
        // its changelog and repartition topics get what the pipeline's topics get (min.insync.replicas on a cluster)
        TopicSetup.configs(Map.of(), config.common().kafka().replicationFactor())
                .forEach((key, value) -> p.put(StreamsConfig.topicPrefix(key), value));
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + httpPort);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, QuietRocksDb.class.getName());
        // Bootstrap servers, client id and the XRAY_KAFKA_CLIENT_* pass-through last: a deployment's overrides win.
        p.putAll(config.common().kafka().clientProperties(config.common().clientId("streams")));
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    @Override
    public void start() {
        shell = ServiceShell.start(
                config.common(), health, api::routes, HttpEndpoint.DEFAULT_MAX_MULTIPART_BYTES, config.apiToken());
        streams = new KafkaStreams(topology(config, serdes), streamsProperties(config, shell.httpPort()));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("drift monitor stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(shell.metrics().registry());
        health.register("kafka-streams", () -> streams.state() == KafkaStreams.State.RUNNING);
        watchProgress(config.common(), config.applicationId(), Set.of(Topics.NEIGHBOURS.name()), "streams-progress");
        health.registerLiveness(
                "kafka-streams",
                () -> !Set.of(
                                KafkaStreams.State.ERROR,
                                KafkaStreams.State.PENDING_ERROR,
                                KafkaStreams.State.NOT_RUNNING)
                        .contains(streams.state()));
        api.attach(streams, shell.httpPort());
        streams.start();
        LOG.info(
                "drift monitor started: application {}, state in {}, rule {}",
                config.applicationId(),
                config.stateDir().toAbsolutePath(),
                config.rule());
    }

    /** The Streams application's state. */
    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    @Override
    protected void stopParts() {
        if (streams != null) {
            // Leave the group: the partitions move at once instead of after the session timeout.
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
    }
}
