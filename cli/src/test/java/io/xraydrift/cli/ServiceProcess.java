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
}
