package io.xraydrift.stack;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The parts the pipeline needs, running locally: a Kafka broker and a schema registry. Where a
 * Docker engine answers, {@link #start()} may run them as containers; everywhere else it runs a
 * real broker inside this JVM and a real Apicurio Registry process.
 */
public interface LocalStack extends AutoCloseable {

    /** Environment variable choosing the implementation: {@code auto} (default), {@code embedded}, {@code containers}. */
    String STACK_KIND = "XRAY_STACK";

    /** The value for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Apicurio v3 API base, the value of {@code apicurio.registry.url}. */
    String registryUrl();

    /** The registry's base URL, the value services take as {@code XRAY_REGISTRY_URL} (they add the API paths). */
    default String registryBaseUrl() {
        return registryUrl().replace("/apis/registry/v3", "");
    }

    /** Confluent-compatible API base, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    String ccompatUrl();

    /**
     * Consumer settings for reading whole topics back in tests and tools: this stack's broker,
     * read_committed, from the earliest offset, a fresh group named {@code groupPrefix} + a unique
     * suffix, and fetches as large as the largest record a topic takes (24 MiB).
     */
    default Map<String, Object> readerProperties(String groupPrefix) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", groupPrefix + UUID.randomUUID());
        props.put("max.partition.fetch.bytes", 24 * 1024 * 1024);
        return props;
    }

    /** How many brokers the stack's Kafka has (topics are replicated min(3, that) times). */
    default int brokers() {
        return 1;
    }

    /** One line saying what runs where. */
    String describe();

    @Override
    void close();

    /**
     * A stack whose Kafka has {@code brokers} nodes: one is {@link #start()}; more is a {@link ClusterStack}
     * (each node its own JVM, on this machine, whatever {@value #STACK_KIND} says).
     */
    static LocalStack start(int brokers) {
        return brokers <= 1 ? start() : ClusterStack.start(brokers);
    }

    /** Starts the kind named by {@value #STACK_KIND}; {@code auto} picks containers only when Docker answers. */
    static LocalStack start() {
        String kind = System.getenv().getOrDefault(STACK_KIND, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "embedded" -> EmbeddedStack.start();
            case "containers" -> ContainerStack.start();
            case "auto" -> ContainerStack.dockerAvailable() ? ContainerStack.start() : EmbeddedStack.start();
            default ->
                throw new IllegalArgumentException(
                        STACK_KIND + "='" + kind + "' is not one of auto, embedded, containers");
        };
    }
}
