package io.xraydrift.platform;

/**
 * The start/stop shape every service has. {@link #start()} returns once the service is running
 * (its own threads do the work); {@link #close()} stops it gracefully: finish or abandon the
 * current batch, commit what was processed, close producers and consumers, stop HTTP.
 */
public interface Service extends AutoCloseable {

    /** Service name, e.g. {@code ingest}. */
    String name();

    /** Starts the service's threads and endpoint; returns when it is running. */
    void start();

    /** False once a part the service cannot run without has died (its work loop): the process should go. */
    default boolean live() {
        return true;
    }

    @Override
    void close();
}
