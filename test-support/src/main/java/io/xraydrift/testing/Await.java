package io.xraydrift.testing;

import java.time.Duration;
import java.util.Optional;

/**
 * The one wait of the tests: polls a condition every 100 ms until it holds, and fails naming what
 * it waited for once the timeout passes. Tests wait for what the code reports (a record, an
 * answer, a committed offset, a port), never for a fixed time.
 */
public final class Await {

    /** A condition that may throw (an HTTP call, an admin request); a throw ends the wait. */
    public interface Check {
        boolean holds() throws Exception;
    }

    /** A value that may not be there yet (null), and may throw; a throw ends the wait. */
    public interface Probe<T> {
        T get() throws Exception;
    }

    private static final long POLL_MILLIS = 100;

    private Await() {}

    /** Returns once {@code check} holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Check check) throws Exception {
        if (first(timeout, () -> check.holds() ? Boolean.TRUE : null).isEmpty()) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
        }
    }

    /**
     * Polls {@code probe} until it gives a value (not null), and returns it; empty once {@code
     * timeout} passes without one — for what a test reports on rather than requires.
     */
    public static <T> Optional<T> first(Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value;
        while ((value = probe.get()) == null) {
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(POLL_MILLIS);
        }
        return Optional.of(value);
    }
}
