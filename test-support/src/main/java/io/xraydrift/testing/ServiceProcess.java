package io.xraydrift.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service run as its own JVM from its own {@code main}, as a deployment runs it;
 * {@link #kill()} sends SIGKILL, {@link #start()} starts it again with the same environment
 * (instance id, state directories, port). Each start logs to {@code logs/<name>-<n>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final String mainClass;
    private final String classpath;
    private final Map<String, String> env;
    private final Path logs;
    private Process process;
    private int starts;

    /**
     * @param classpath the child's class path: the CLI jar, or {@link #thisClasspath()} for a
     *                  module's own test JVM
     */
    public ServiceProcess(String name, String mainClass, String classpath, Map<String, String> env, Path logs) {
        this.name = name;
        this.mainClass = mainClass;
        this.classpath = classpath;
        this.env = Map.copyOf(env);
        this.logs = logs;
    }

    /** The class path of this JVM (under Surefire/Failsafe a jar whose manifest lists the test class path). */
    public static String thisClasspath() {
        return System.getProperty("java.class.path");
    }

    public void start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx448m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--add-modules",
                "jdk.incubator.vector",
                "-Dai.djl.offline=true",
                "-XX:ErrorFile=" + logs.resolve(name + "-hs_err_pid%p.log"),
                "-cp",
                classpath,
                mainClass));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + "-" + (++starts) + ".log").toFile());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** The log of the latest start. */
    public Path log() {
        return logs.resolve(name + "-" + starts + ".log");
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as an orchestrator stops a service: its shutdown hook runs. Returns the exit code once
     * it ended within {@code wait}; a process still running then is killed and null returned.
     */
    public Integer terminate(Duration wait) throws InterruptedException {
        process.destroy();
        if (process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        return null;
    }

    /** Waits up to {@code wait} for the process to end: its exit code, or null while it still runs. */
    public Integer awaitExit(Duration wait) throws InterruptedException {
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public boolean alive() {
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
