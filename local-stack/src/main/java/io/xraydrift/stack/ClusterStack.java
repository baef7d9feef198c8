package io.xraydrift.stack;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A Kafka cluster of several nodes (a JVM each, {@link LocalCluster}) and the registry as a child process. */
public final class ClusterStack implements LocalStack {

    private final LocalCluster cluster;
    private final LocalRegistry registry;

    private ClusterStack(LocalCluster cluster, LocalRegistry registry) {
        this.cluster = cluster;
        this.registry = registry;
    }

    /** Starts {@code brokers} Kafka nodes and the registry side by side; if one fails, the other is stopped. */
    public static ClusterStack start(int brokers) {
        CompletableFuture<LocalRegistry> registry = CompletableFuture.supplyAsync(LocalRegistry::start);
        LocalCluster cluster;
        try {
            cluster = LocalCluster.start(brokers);
        } catch (RuntimeException e) {
            registry.thenAccept(LocalRegistry::close);
            throw e;
        }
        try {
            return new ClusterStack(cluster, registry.join());
        } catch (CompletionException e) {
            cluster.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The brokers, e.g. to kill, stop and restart one. */
    public LocalCluster cluster() {
        return cluster;
    }

    @Override
    public int brokers() {
        return cluster.size();
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
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
        return cluster.describe() + ", Apicurio Registry (pid " + registry.pid() + ") at " + registry.baseUrl();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            registry.close();
        }
    }
}
