package io.xraydrift.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster of {@code n} KRaft nodes (each broker + controller, the controller
 * quorum over all of them) on loopback and free ports, each node its own JVM run from Kafka's own
 * {@code main} ({@code kafka.Kafka server.properties}), as a hospital's brokers run — so a node can
 * be {@link #kill killed} (SIGKILL: no controlled shutdown, no flush) or {@link #stop stopped}
 * (SIGTERM: Kafka's controlled shutdown moves its leaderships first) and {@link #restart restarted}
 * on the same data and ports. Set as a hospital should (docs/operations.md, "Cluster settings"):
 * internal topics at replication factor 3 (or the cluster's size) with {@code min.insync.replicas} 2,
 * controlled shutdown on. {@link #close()} stops every node and removes the data.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /** One node: its id, ports, folder and the process that runs it now (null while down). */
    private static final class Node {
        final int id;
        final int brokerPort;
        final int controllerPort;
        final Path dir;
        Process process;
        int starts;

        Node(int id, int brokerPort, int controllerPort, Path dir) {
            this.id = id;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }
    }

    private final Path dataDir;
    private final List<Node> nodes;

    private LocalCluster(Path dataDir, List<Node> nodes) {
        this.dataDir = dataDir;
        this.nodes = nodes;
    }

    /** Formats {@code size} nodes of one new cluster, starts them side by side and returns once every broker is registered. */
    public static LocalCluster start(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + size);
        }
        long began = System.nanoTime();
        Path dataDir = TempDirs.create("xray-kafka-cluster-");
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(new Node(id, FreePorts.pick(), FreePorts.pick(), dataDir.resolve("node-" + id)));
        }
        String voters =
                nodes.stream().map(n -> n.id + "@127.0.0.1:" + n.controllerPort).collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        LocalCluster cluster = new LocalCluster(dataDir, nodes);
        try {
            for (Node n : nodes) {
                Files.createDirectories(n.dir);
                LocalKafka.format(n.dir, nodeProperties(n, voters, size), clusterId, List.of());
            }
            nodes.forEach(cluster::launch);
            for (Node n : nodes) {
                cluster.awaitListening(n);
            }
            cluster.awaitBrokers(size);
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException("cannot prepare " + dataDir, e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info(
                "Kafka cluster of {} nodes ready at {} in {} ms (data in {})",
                size,
                cluster.bootstrapServers(),
                (System.nanoTime() - began) / 1_000_000,
                dataDir);
        return cluster;
    }

    /** One node's settings: the single broker's, made a member of the quorum and replicated as a hospital runs it. */
    static Properties nodeProperties(Node n, String voters, int size) {
        Properties p = LocalKafka.brokerProperties(n.dir, n.brokerPort, n.controllerPort);
        String replicas = String.valueOf(Math.min(3, size));
        String minIsr = String.valueOf(Math.min(2, size));
        p.setProperty("node.id", String.valueOf(n.id));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("offsets.topic.replication.factor", replicas);
        p.setProperty("transaction.state.log.replication.factor", replicas);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        p.setProperty("default.replication.factor", replicas);
        p.setProperty("min.insync.replicas", minIsr);
        // Several brokers: leadership moves before a broker stops (the one-broker workaround is not needed here).
        p.setProperty("controlled.shutdown.enable", "true");
        return p;
    }

    /** The value for {@code bootstrap.servers}: every node's broker listener. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort).collect(Collectors.joining(","));
    }

    /** How many nodes the cluster has. */
    public int size() {
        return nodes.size();
    }

    /** The node ids, 1..size. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    /** The active controller's node id (the quorum's leader), as the cluster reports it. */
    public int activeController() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            return admin.describeMetadataQuorum()
                    .quorumInfo()
                    .get(30, TimeUnit.SECONDS)
                    .leaderId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for the active controller", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the cluster did not say which node is its active controller", e);
        }
    }

    /** SIGKILL to node {@code id}: no controlled shutdown, nothing flushed. Returns once the process is gone. */
    public synchronized void kill(int id) {
        end(node(id), true);
    }

    /** SIGTERM to node {@code id}: Kafka's controlled shutdown (leaderships move away first). Returns once it exited. */
    public synchronized void stop(int id) {
        end(node(id), false);
    }

    /** Starts node {@code id} again on its data and ports; returns once it listens. */
    public synchronized void restart(int id) {
        Node n = node(id);
        if (n.process != null && n.process.isAlive()) {
            throw new IllegalStateException("node " + id + " is running");
        }
        launch(n);
        awaitListening(n);
    }

    /** Whether node {@code id}'s process runs. */
    public synchronized boolean running(int id) {
        Node n = node(id);
        return n.process != null && n.process.isAlive();
    }

    /** Node {@code id}'s log of its latest start. */
    public Path log(int id) {
        Node n = node(id);
        return n.dir.resolve("node-" + n.id + "-" + n.starts + ".log");
    }

    /** The process ids of the nodes running now. */
    public synchronized List<Long> pids() {
        return nodes.stream()
                .filter(n -> n.process != null && n.process.isAlive())
                .map(n -> n.process.pid())
                .toList();
    }

    /** One line saying what runs where. */
    public String describe() {
        return "Kafka cluster of " + nodes.size() + " KRaft nodes (one JVM each: pids "
                + nodes.stream()
                        .map(n -> n.process == null ? "-" : String.valueOf(n.process.pid()))
                        .collect(Collectors.joining(", "))
                + ") at " + bootstrapServers();
    }

    @Override
    public synchronized void close() {
        try {
            // Stop side by side: a controlled shutdown needs the others' quorum to answer.
            nodes.stream().filter(n -> n.process != null && n.process.isAlive()).forEach(n -> n.process.destroy());
            for (Node n : nodes) {
                if (n.process != null) {
                    waitOrKill(n);
                }
            }
        } finally {
            TempDirs.deleteQuietly(dataDir);
        }
    }

    private Node node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("no node " + id + " in a cluster of " + nodes.size());
        }
        return nodes.get(id - 1);
    }

    private void launch(Node n) {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:ErrorFile=" + n.dir.resolve("hs_err_pid%p.log"),
                "-cp",
                System.getProperty("java.class.path"),
                "kafka.Kafka",
                n.dir.resolve("server.properties").toString());
        n.starts++;
        try {
            n.process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(n.dir.resolve("node-" + n.id + "-" + n.starts + ".log")
                            .toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka node " + n.id, e);
        }
    }

    private void awaitListening(Node n) {
        try {
            FreePorts.awaitListening("Kafka node " + n.id, n.brokerPort, START_TIMEOUT.toMillis());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (its log: " + log(n.id) + ")", e);
        }
    }

    private void awaitBrokers(int size) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            while (true) {
                int registered = admin.describeCluster()
                        .nodes()
                        .get(10, TimeUnit.SECONDS)
                        .size();
                if (registered >= size) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(registered + " of " + size + " brokers registered within "
                            + START_TIMEOUT.toSeconds() + " s");
                }
                FreePorts.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the brokers", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the cluster did not describe itself", e);
        }
    }

    private void end(Node n, boolean forcibly) {
        if (n.process == null || !n.process.isAlive()) {
            return;
        }
        if (forcibly) {
            n.process.destroyForcibly();
        } else {
            n.process.destroy();
        }
        waitOrKill(n);
        LOG.info("Kafka node {} {} (exit {})", n.id, forcibly ? "killed" : "stopped", n.process.exitValue());
    }

    private static void waitOrKill(Node n) {
        try {
            if (!n.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka node {} did not stop within {} s; killed", n.id, STOP_TIMEOUT.toSeconds());
                n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            n.process.destroyForcibly();
        }
    }
}
