package io.xraydrift.schemas;

import com.microsoft.kiota.ApiException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry did not answer (connection refused or reset, timeout, 5xx, 429) for as long
 * as a serde waits for it. Not the record's fault: a caller reads the record again later instead
 * of dead-lettering it. Apicurio's serdes retry only a 429 themselves; {@link #retrying} covers the
 * rest.
 */
public final class RegistryUnavailableException extends RetriableException {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryUnavailableException.class);

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The longest one registry call may take before it is cut off and tried again. */
    static final Duration ATTEMPT_LIMIT = Duration.ofSeconds(5);

    /**
     * Runs a serde call, retrying it with growing pauses (0.1 s doubling to 2 s) for up to
     * {@code patience} while the registry is unreachable; any other failure is thrown at once.
     * Each attempt is cut off after {@link #ATTEMPT_LIMIT} (or a third of the patience): a
     * request the registry never answers is retried like a refused one instead of holding the
     * caller for good.
     */
    static <T> T retrying(Supplier<T> call, String what, String registryUrl, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long pauseMillis = 100;
        int attempt = 1;
        // room for three attempts at least, however short the patience
        long attemptLimit = Math.min(ATTEMPT_LIMIT.toNanos(), Math.max(patience.toNanos() / 3, 100_000_000L));
        while (true) {
            long left = Math.max(deadline - System.nanoTime(), 100_000_000L);
            try {
                return BoundedAttempt.run(call, Duration.ofNanos(Math.min(left, attemptLimit)));
            } catch (RuntimeException e) {
                if (!unreachable(e)) {
                    throw e;
                }
                if (System.nanoTime() + pauseMillis * 1_000_000 > deadline) {
                    throw new RegistryUnavailableException(
                            "schema registry " + registryUrl + " did not answer to "
                                    + what + " in " + attempt + " attempts over " + patience.toSeconds() + " s: "
                                    + rootCause(e),
                            e);
                }
                LOG.warn(
                        "schema registry {} did not answer to {} (attempt {}: {}), retrying",
                        registryUrl,
                        what,
                        attempt,
                        rootCause(e));
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RegistryUnavailableException("interrupted waiting for schema registry " + registryUrl, e);
                }
                pauseMillis = Math.min(2000, pauseMillis * 2);
                attempt++;
            }
        }
    }

    /**
     * Whether a serde failure means the registry could not be reached or was overloaded, rather
     * than that the record or its schema is wrong (an unknown id, a 4xx, a decoding error).
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable t : causes(failure)) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
            if (t instanceof ApiException api) {
                int status = api.getResponseStatusCode();
                return status == 429 || status >= 500;
            }
            // Only failures of the connection itself: a plain IOException can also be Avro finding
            // the bytes malformed, and a record retried for that would never get past.
            String type = t.getClass().getName();
            if (t instanceof SocketException
                    || t instanceof UnknownHostException
                    || t instanceof ClosedChannelException
                    || t instanceof HttpTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof SocketTimeoutException
                    || type.startsWith("io.netty.")
                    || type.startsWith("io.vertx.")) {
                return true;
            }
        }
        return false;
    }

    /** The RegistryUnavailableException among a failure and its causes, if there is one. */
    public static Optional<RegistryUnavailableException> among(Throwable failure) {
        return causes(failure).stream()
                .filter(RegistryUnavailableException.class::isInstance)
                .map(RegistryUnavailableException.class::cast)
                .findFirst();
    }

    /** A failure and its causes, outermost first. */
    static List<Throwable> causes(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = failure; t != null && !out.contains(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    /** The innermost cause. */
    static Throwable root(Throwable failure) {
        List<Throwable> all = causes(failure);
        return all.get(all.size() - 1);
    }

    private static String rootCause(Throwable e) {
        return root(e).toString();
    }
}
