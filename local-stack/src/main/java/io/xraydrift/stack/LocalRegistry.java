package io.xraydrift.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry 3.x process (in-memory storage) on loopback, started from the
 * distribution Maven unpacked into this module's build. The process dies with this JVM: a
 * watchdog shell kills it when the parent is gone, even after SIGKILL.
 */
public final class LocalRegistry implements AutoCloseable {

    /** Environment variable overriding where the unpacked registry ({@code quarkus-run.jar}) lives. */
    public static final String REGISTRY_HOME = "XRAY_REGISTRY_HOME";

    static final int MINIMUM_JAVA = 21;

    private static final Logger LOG = LoggerFactory.getLogger(LocalRegistry.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path workDir;
    private final int httpPort;
    private final Certificates tls;

    private LocalRegistry(Process process, Path workDir, int httpPort, Certificates tls) {
        this.process = process;
        this.workDir = workDir;
        this.httpPort = httpPort;
        this.tls = tls;
    }

    /** Starts the registry on plain HTTP and returns once its REST API answers. */
    public static LocalRegistry start() {
        return start(null);
    }

    /**
     * Starts the registry and returns once its REST API answers: on HTTPS only with the key in
     * {@code tls} when it is given (plain HTTP refused), on plain HTTP when it is null.
     */
    public static LocalRegistry start(Certificates tls) {
        long began = System.nanoTime();
        Path home = registryHome();
        Path java = JavaRuntimes.find(MINIMUM_JAVA);
        int httpPort = FreePorts.pick();
        int managementPort = FreePorts.pick();
        Path workDir = TempDirs.create("xray-registry-");
        Path log = workDir.resolve("registry.log");
        List<String> command = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                WATCHDOG,
                "xray-registry-watchdog",
                String.valueOf(ProcessHandle.current().pid()),
                java.toString(),
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN",
                "-Dquarkus.banner.enabled=false"));
        if (tls != null) {
            command.addAll(List.of(
                    "-Dquarkus.http.port=" + FreePorts.pick(),
                    "-Dquarkus.http.ssl-port=" + httpPort,
                    "-Dquarkus.http.insecure-requests=disabled",
                    "-Dquarkus.http.ssl.certificate.key-store-file=" + tls.keyStore(),
                    "-Dquarkus.http.ssl.certificate.key-store-file-type=" + Certificates.STORE_TYPE,
                    "-Dquarkus.http.ssl.certificate.key-store-password=" + tls.password()));
        }
        command.addAll(List.of("-jar", home.resolve("quarkus-run.jar").toString()));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            TempDirs.deleteQuietly(workDir);
            throw new UncheckedIOException("cannot start Apicurio Registry with " + java, e);
        }
        LocalRegistry registry = new LocalRegistry(process, workDir, httpPort, tls);
        Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "xray-registry-stop"));
        try {
            registry.awaitReady(log);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        LOG.info(
                "Apicurio Registry ready on {} in {} ms ({})",
                registry.baseUrl(),
                (System.nanoTime() - began) / 1_000_000,
                java);
        return registry;
    }

    /** e.g. {@code http://127.0.0.1:PORT} ({@code https} when started with TLS). */
    public String baseUrl() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + httpPort;
    }

    /** The Apicurio v3 API, the URL its serdes take ({@code apicurio.registry.url}). */
    public String registryUrl() {
        return baseUrl() + "/apis/registry/v3";
    }

    /** The Confluent-compatible API, for Confluent-ecosystem tools. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Process id of the registry JVM's watchdog parent (for diagnostics). */
    public long pid() {
        return process.pid();
    }

    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroy();
            tree.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    tree.forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                for (ProcessHandle child : tree) {
                    child.onExit().get(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        }
        reportProblems(workDir.resolve("registry.log"));
        TempDirs.deleteQuietly(workDir);
    }

    /** The registry logs at WARN: if it logged an error, show the log's end before it is deleted. */
    private static void reportProblems(Path log) {
        try {
            if (Files.exists(log)
                    && Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                            .anyMatch(l -> l.contains("ERROR") || l.contains("OutOfMemoryError"))) {
                LOG.warn("Apicurio Registry logged errors; its log ends:\n{}", tail(log));
            }
        } catch (IOException e) {
            LOG.warn("registry log {} unreadable: {}", log, e.toString());
        }
    }

    /**
     * Runs the registry in the background and kills it when the parent JVM (first argument) or the
     * watchdog itself is told to stop, so no registry outlives the JVM that started it.
     */
    private static final String WATCHDOG = String.join(
            "\n",
            "parent=$1; shift",
            "\"$@\" &",
            "child=$!",
            "trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT HUP",
            "while kill -0 \"$parent\" 2>/dev/null && kill -0 \"$child\" 2>/dev/null; do sleep 1; done",
            "kill $child 2>/dev/null",
            "wait $child");

    private void awaitReady(Path log) {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            client.sslContext(tls.clientContext());
        }
        HttpClient http = client.build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(registryUrl() + "/system/info"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with code " + process.exitValue()
                        + " before it was ready; its log ends:\n" + tail(log));
            }
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
            FreePorts.sleep(100);
        }
        throw new IllegalStateException("Apicurio Registry did not answer " + registryUrl() + "/system/info within "
                + READY_TIMEOUT.toSeconds() + " s; its log ends:\n" + tail(log));
    }

    static Path registryHome() {
        String override = System.getenv(REGISTRY_HOME);
        Path home;
        if (override != null && !override.isBlank()) {
            home = Path.of(override.trim());
        } else {
            Properties p = new Properties();
            try (InputStream in = LocalRegistry.class.getResourceAsStream("registry.properties")) {
                if (in == null) {
                    throw new IllegalStateException("registry.properties is missing from the local-stack jar");
                }
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read registry.properties", e);
            }
            home = Path.of(p.getProperty("registry.home"));
        }
        if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("Apicurio Registry is not unpacked at " + home
                    + " (no quarkus-run.jar): build the local-stack module ('mvn -pl local-stack package') or set "
                    + REGISTRY_HOME + " to an unpacked io.apicurio:apicurio-registry-app:tar.gz:all");
        }
        return home;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
