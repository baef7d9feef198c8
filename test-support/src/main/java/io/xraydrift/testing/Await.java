package io.xraydrift.testing;

import java.time.Duration;

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

    private static final long POLL_MILLIS = 100;

    private Await() {}

    /** Returns once {@code check} holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
