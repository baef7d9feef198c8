package io.xraydrift.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service run as its own JVM from its own {@code main} (on the CLI jar's classpath), as a
 * deployment runs it; {@link #kill()} sends SIGKILL, {@link #start()} starts it again with the same
 * environment (instance id, state directories, port).
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final String mainClass;
    private final Map<String, String> env;
    private final Path logs;
    private Process process;
    private int starts;

    ServiceProcess(String name, String mainClass, Map<String, String> env, Path logs) {
        this.name = name;
        this.mainClass = mainClass;
        this.env = Map.copyOf(env);
        this.logs = logs;
    }

    void start() throws IOException {
        Path jar = Path.of("target", "xray-drift.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the cli module's package phase builds it");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx448m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--add-modules", "jdk.incubator.vector",
                "-Dai.djl.offline=true", "-cp", jar.toString(), mainClass));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + "-" + (++starts) + ".log").toFile());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The pipeline's services (any of ingest, embedder, indexer, drift-monitor, in that order) as
     * processes: each with {@code settings.apply(name)}, its state under {@code work}, the CPU for
     * the embedder, instance id {@code instancePrefix-name}, and HTTP on port 0 (the tests never call
     * them over HTTP: a port picked here and bound later can be taken in between — once it was, by
     * an ephemeral source port of some Kafka connection, and the embedder never started).
     */
    static java.util.Map<String, ServiceProcess> pipeline(Path work, String instancePrefix, List<String> names,
            java.util.function.Function<String, java.util.Map<String, String>> settings) {
        java.util.Map<String, String[]> known = java.util.Map.of(
                "ingest", new String[] {"io.xraydrift.ingest.IngestApp", io.xraydrift.ingest.IngestConfig.STATE_DIR,
                    "ingest-state"},
                "embedder", new String[] {"io.xraydrift.embedder.EmbedderApp", "XRAY_EMBEDDER_DEVICE", null},
                "indexer", new String[] {"io.xraydrift.indexer.IndexerApp", io.xraydrift.indexer.IndexerConfig.SNAPSHOT_DIR,
                    "indexer-snapshots"},
                "drift-monitor", new String[] {"io.xraydrift.drift.DriftMonitorApp",
                    io.xraydrift.drift.DriftMonitorConfig.STATE_DIR, "drift-state"});
        java.util.Map<String, ServiceProcess> out = new java.util.LinkedHashMap<>();
        for (String name : names) {
            String[] k = known.get(name);
            java.util.Map<String, String> env = new java.util.HashMap<>(settings.apply(name));
            env.put(k[1], k[2] == null ? "cpu" : work.resolve(k[2]).toString());
            env.put("XRAY_INSTANCE_ID", instancePrefix + "-" + name);
            env.put("XRAY_HTTP_PORT", "0");
            out.put(name, new ServiceProcess(name, k[0], env, work));
        }
        return out;
    }
}
