package io.xraydrift.cli.ops;

import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.RegistryAccess;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.platform.kafka.ServiceAccess;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.stack.SecureStack;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack as the {@code stack} and {@code demo} commands run it: started, topics and
 * schemas set up, stopped by Ctrl-C (or {@link #close()}) with its data removed.
 */
public final class LocalRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRun.class);

    private final LocalStack stack;
    private final KafkaSettings kafka;
    private final KafkaBootstrap.Outcome bootstrap;
    private final Path envDir;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Deque<AutoCloseable> dependents = new ArrayDeque<>();
    private final Thread hook;

    private LocalRun(LocalStack stack, KafkaSettings kafka, KafkaBootstrap.Outcome bootstrap, Path envDir) {
        this.stack = stack;
        this.kafka = kafka;
        this.bootstrap = bootstrap;
        this.envDir = envDir;
        this.hook = new Thread(this::stop, "xray-local-stack-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static LocalRun start(PrintStream out) {
        return start(out, 1);
    }

    /**
     * The stack with {@code brokers} Kafka nodes: one runs in this JVM; more run a JVM each, topics at
     * replication factor min(3, brokers) with {@code min.insync.replicas} 2.
     */
    public static LocalRun start(PrintStream out, int brokers) {
        out.println(
                brokers <= 1
                        ? "Starting the local stack: Kafka (KRaft) in this JVM, Apicurio Registry as a child process..."
                        : "Starting the local stack: a Kafka cluster of " + brokers + " KRaft nodes (a JVM each), "
                                + "Apicurio Registry as a child process...");
        long began = System.nanoTime();
        LocalStack stack = LocalStack.start(brokers);
        try {
            KafkaSettings kafka = KafkaSettings.from(Settings.of(settings(stack)));
            KafkaBootstrap.Outcome outcome = KafkaBootstrap.prepare(kafka, "xray-drift-cli");
            out.printf("Local stack up in %.1f s: %s%n", (System.nanoTime() - began) / 1e9, stack.describe());
            return new LocalRun(stack, kafka, outcome, null);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The secure stack (SASL_SSL + SCRAM + ACLs, registry on HTTPS): topics set up as the
     * administrator, one SCRAM user per service ({@code xray-SERVICE}) with the ACLs of
     * {@link ServiceAccess}, and an env file per service and one for the administrator
     * ({@code admin.env}) in the stack's directory, readable by the owner alone.
     */
    static LocalRun startSecure(PrintStream out) {
        out.println("Starting the secure local stack: Kafka (KRaft, SASL_SSL + SCRAM-SHA-512 + ACLs) in this JVM, "
                + "Apicurio Registry on HTTPS...");
        long began = System.nanoTime();
        SecureStack stack = SecureStack.start();
        try {
            Map<String, String> admin = secureSettings(stack, stack.adminSecurity());
            KafkaSettings kafka = KafkaSettings.from(Settings.of(admin));
            KafkaBootstrap.Outcome outcome = KafkaBootstrap.prepare(kafka, "xray-drift-cli");
            Path dir = stack.certificates().trustStore().getParent();
            writeEnv(dir.resolve("admin.env"), admin);
            for (ServiceAccess access : ServiceAccess.values()) {
                String user = access.defaultUser();
                writeEnv(
                        dir.resolve(access.service() + ".env"),
                        secureSettings(stack, stack.clientSecurity(user, stack.createUser(user))));
            }
            stack.grant(TopicsCommand.Acls.bindings(Map.of(), ServiceAccess.DRIFT_MONITOR.prefix()));
            out.printf("Secure local stack up in %.1f s: %s%n", (System.nanoTime() - began) / 1e9, stack.describe());
            return new LocalRun(stack, kafka, outcome, dir);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The settings that point a service at the secure stack as one principal: {@link #settings},
     * the registry's trust store, and the Kafka client's security settings as
     * {@code XRAY_KAFKA_CLIENT_*} (what a deployment sets).
     */
    public static Map<String, String> secureSettings(SecureStack stack, Map<String, String> client) {
        Map<String, String> env = new TreeMap<>(settings(stack));
        env.put(
                RegistryAccess.TRUSTSTORE.name(),
                stack.certificates().trustStore().toString());
        env.put(RegistryAccess.TRUSTSTORE_PASSWORD.name(), stack.certificates().password());
        client.forEach((k, v) -> env.put(
                Settings.KAFKA_CLIENT_ENV_PREFIX + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
        return env;
    }

    private static void writeEnv(Path file, Map<String, String> env) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(env)
                .forEach((k, v) -> text.append(k)
                        .append("='")
                        .append(v.replace("'", "'\\''"))
                        .append("'\n"));
        try {
            Files.writeString(file, "", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The XRAY_* settings that point a service or a command at this stack. */
    public static Map<String, String> settings(LocalStack stack) {
        Map<String, String> env = new TreeMap<>(Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.name(),
                stack.bootstrapServers(),
                KafkaSettings.REGISTRY_URL.name(),
                stack.registryBaseUrl()));
        if (stack.brokers() > 1) {
            env.put(KafkaSettings.REPLICATION_FACTOR.name(), String.valueOf(Math.min(3, stack.brokers())));
        }
        return Map.copyOf(env);
    }

    public LocalStack stack() {
        return stack;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    KafkaBootstrap.Outcome bootstrap() {
        return bootstrap;
    }

    /** Prints how to reach the stack from other shells and tools. */
    public void printConnectionHelp(PrintStream out) {
        out.println();
        out.println("  Kafka bootstrap:  " + kafka.bootstrapServers());
        out.println("  Registry:         " + kafka.registryBaseUrl() + "  (Confluent-compatible API: "
                + kafka.ccompatUrl() + ")");
        out.println("  Topics:           " + bootstrap.topics().results().size() + " declared, created "
                + bootstrap.topics().created().size() + "; schemas (BACKWARD): " + bootstrap.schemaIds());
        out.println();
        out.println("  Point services and commands at it from another shell:");
        out.println("    export " + KafkaSettings.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers() + " "
                + KafkaSettings.REGISTRY_URL + "=" + kafka.registryBaseUrl()
                + (stack.brokers() > 1
                        ? " " + KafkaSettings.REPLICATION_FACTOR + "=" + kafka.replicationFactor()
                        : ""));
        if (envDir != null) {
            out.println("  (SASL_SSL: each service has its own user; its settings, with its password, are in");
            out.println("   " + envDir + "/{ingest,embedder,indexer,drift-monitor,admin}.env, e.g.");
            out.println("    set -a; . " + envDir.resolve("ingest.env") + "; set +a; ./xray-drift ingest)");
            out.println("    ./xray-drift topics acls   # what each service may do");
        } else {
            out.println("    ./xray-drift topics list");
            out.println("    kcat -b " + kafka.bootstrapServers() + " -L");
        }
        out.println();
    }

    /** Blocks until Ctrl-C / SIGTERM or {@link #close()}. */
    public void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Something that runs on the stack (the demo's services) and is closed before it, last registered
     * first, when the run stops — by {@link #close()} or by Ctrl-C/SIGTERM (the shutdown hook): Kafka
     * Streams and its RocksDB stores close, and the loops commit, while the broker still answers and
     * before the JVM exits.
     */
    public synchronized void closeFirst(AutoCloseable dependent) {
        dependents.push(dependent);
    }

    private synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        try {
            while (!dependents.isEmpty()) {
                AutoCloseable dependent = dependents.pop();
                try {
                    dependent.close();
                } catch (Exception e) {
                    LOG.warn("closing {} before the stack failed: {}", dependent, e.toString());
                }
            }
            stack.close();
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }
}
