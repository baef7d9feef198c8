package io.xraydrift.stack;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** The broker inside this JVM and the registry as a child process, started side by side. */
public final class EmbeddedStack implements LocalStack {

    private final LocalKafka kafka;
    private final LocalRegistry registry;

    private EmbeddedStack(LocalKafka kafka, LocalRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** Starts both (in parallel: the registry JVM boots while the broker formats and starts). */
    public static EmbeddedStack start() {
        return start(LocalKafka::start, LocalRegistry::start);
    }

    /** Starts a broker and a registry in parallel; if one fails, the other is stopped. */
    static EmbeddedStack start(Supplier<LocalKafka> broker, Supplier<LocalRegistry> schemaRegistry) {
        CompletableFuture<LocalRegistry> registry = CompletableFuture.supplyAsync(schemaRegistry);
        LocalKafka kafka;
        try {
            kafka = broker.get();
        } catch (RuntimeException e) {
            registry.thenAccept(LocalRegistry::close);
            throw e;
        }
        try {
            return new EmbeddedStack(kafka, registry.join());
        } catch (CompletionException e) {
            kafka.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The registry process. */
    LocalRegistry registry() {
        return registry;
    }

    /** The broker, e.g. to {@link LocalKafka#pause() pause} it in an outage test. */
    public LocalKafka kafka() {
        return kafka;
    }

    @Override
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String registryUrl() {
        return registry.registryUrl();
    }

    @Override
    public String ccompatUrl() {
        return registry.ccompatUrl();
    }

    @Override
    public String describe() {
        return "Kafka (KRaft, in this JVM) at " + bootstrapServers() + ", Apicurio Registry (pid " + registry.pid()
                + ") at " + registry.baseUrl();
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            registry.close();
        }
    }
}
