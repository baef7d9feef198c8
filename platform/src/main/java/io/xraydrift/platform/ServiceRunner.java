package io.xraydrift.platform;

import io.xraydrift.platform.config.ConfigException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service's {@code main} does after building its service: start it, stop it on SIGTERM
 * or Ctrl-C through a shutdown hook, and block until then.
 */
public final class ServiceRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {}

    /** Exit code of a process whose service died (EX_SOFTWARE): an orchestrator restarts it. */
    public static final int DIED = 70;

    /**
     * Starts the service, installs the shutdown hook and blocks until the JVM is asked to stop; if
     * the service stops being live (its work loop died), exits with {@value #DIED} — the hook closes
     * it first — instead of lingering as a process that answers but does no work.
     */
    public static void run(Service service) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("{} stopping", service.name());
                            try {
                                service.close();
                            } finally {
                                stopped.countDown();
                            }
                            LOG.info("{} stopped", service.name());
                        },
                        service.name() + "-shutdown"));
        long began = System.nanoTime();
        service.start();
        LOG.info("{} started in {} ms", service.name(), (System.nanoTime() - began) / 1_000_000);
        try {
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (!service.live()) {
                    LOG.error(
                            "{} is no longer live (its work loop died): exiting with code {} so it is restarted",
                            service.name(),
                            DIED);
                    System.exit(DIED);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code main}'s body, turning a configuration error into one clear line and exit code 2. */
    public static void main(String service, Runnable body) {
        try {
            body.run();
        } catch (ConfigException e) {
            System.err.println(service + ": configuration error: " + e.getMessage());
            System.exit(2);
        }
    }
}
