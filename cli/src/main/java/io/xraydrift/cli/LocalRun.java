package io.xraydrift.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.LocalStack;

/**
 * The local stack as the {@code stack} and {@code demo} commands run it: started, topics and
 * schemas set up, stopped by Ctrl-C (or {@link #close()}) with its data removed.
 */
final class LocalRun implements AutoCloseable {

    private final LocalStack stack;
    private final KafkaSettings kafka;
    private final KafkaBootstrap.Outcome bootstrap;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook;

    private LocalRun(LocalStack stack, KafkaSettings kafka, KafkaBootstrap.Outcome bootstrap) {
        this.stack = stack;
        this.kafka = kafka;
        this.bootstrap = bootstrap;
        this.hook = new Thread(this::stop, "xray-local-stack-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static LocalRun start(PrintStream out) {
        out.println("Starting the local stack: Kafka (KRaft) in this JVM, Apicurio Registry as a child process...");
        long began = System.nanoTime();
        LocalStack stack = LocalStack.start();
        try {
            KafkaSettings kafka = KafkaSettings.from(Settings.of(settings(stack)));
            KafkaBootstrap.Outcome outcome = KafkaBootstrap.prepare(kafka, "xray-drift-cli");
            out.printf("Local stack up in %.1f s: %s%n", (System.nanoTime() - began) / 1e9, stack.describe());
            return new LocalRun(stack, kafka, outcome);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** The XRAY_* settings that point a service or a command at this stack. */
    static Map<String, String> settings(LocalStack stack) {
        return Map.of(KafkaSettings.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                KafkaSettings.REGISTRY_URL, stack.registryUrl().replace("/apis/registry/v3", ""));
    }

    LocalStack stack() {
        return stack;
    }

    KafkaSettings kafka() {
        return kafka;
    }

    KafkaBootstrap.Outcome bootstrap() {
        return bootstrap;
    }

    /** Prints how to reach the stack from other shells and tools. */
    void printConnectionHelp(PrintStream out) {
        out.println();
        out.println("  Kafka bootstrap:  " + kafka.bootstrapServers());
        out.println("  Registry:         " + kafka.registryBaseUrl() + "  (Confluent-compatible API: "
                + kafka.ccompatUrl() + ")");
        out.println("  Topics:           " + bootstrap.topics().results().size() + " declared, created "
                + bootstrap.topics().created().size() + "; schemas (BACKWARD): " + bootstrap.schemaIds());
        out.println();
        out.println("  Point services and commands at it from another shell:");
        out.println("    export " + KafkaSettings.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers() + " "
                + KafkaSettings.REGISTRY_URL + "=" + kafka.registryBaseUrl());
        out.println("    ./xray-drift topics list");
        out.println("    kcat -b " + kafka.bootstrapServers() + " -L");
        out.println();
    }

    /** Blocks until Ctrl-C / SIGTERM or {@link #close()}. */
    void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        try {
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
