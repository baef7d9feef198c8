package io.xraydrift.stack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker + controller) inside this JVM, on
 * loopback and free ports, with its data in a temp directory that {@link #close()} removes.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    private final Path dataDir;
    private final int brokerPort;
    private final KafkaRaftServer server;

    private LocalKafka(Path dataDir, int brokerPort, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.server = server;
    }

    /** Formats a fresh log directory and starts the broker; returns when it accepts connections. */
    public static LocalKafka start() {
        long began = System.nanoTime();
        Path dataDir = TempDirs.create("xray-kafka-");
        int brokerPort = FreePorts.pick();
        int controllerPort = FreePorts.pick();
        Properties props = brokerProperties(dataDir, brokerPort, controllerPort);
        format(dataDir, props);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            TempDirs.deleteQuietly(dataDir);
            throw new IllegalStateException("Kafka broker on 127.0.0.1:" + brokerPort + " failed to start", e);
        }
        FreePorts.awaitListening("Kafka broker", brokerPort, 30_000);
        LOG.info("Kafka broker ready on 127.0.0.1:{} in {} ms (data in {})",
                brokerPort, (System.nanoTime() - began) / 1_000_000, dataDir);
        return new LocalKafka(dataDir, brokerPort, server);
    }

    /** The value for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            TempDirs.deleteQuietly(dataDir);
        }
    }

    static Properties brokerProperties(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners",
                "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        // Scans carry images: allow the topic-level limits the project declares.
        p.setProperty("message.max.bytes", String.valueOf(32 * 1024 * 1024));
        p.setProperty("replica.fetch.max.bytes", String.valueOf(32 * 1024 * 1024));
        return p;
    }

    private static void format(Path dataDir, Properties props) {
        Path config = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "xray-drift local broker");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        var quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        int rc = StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()}, quiet);
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format of " + dataDir + " failed with code " + rc);
        }
    }

}
