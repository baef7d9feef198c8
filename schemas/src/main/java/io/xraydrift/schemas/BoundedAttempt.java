package io.xraydrift.schemas;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One registry call with a time limit. Apicurio's client (Kiota over Vert.x) sets no request
 * timeout and waits for its answer in an interruptible {@code CompletableFuture.get()}: a request
 * the registry never answers would hold the calling thread (a service's poll loop) for good, past
 * every retry and every stop. Past the limit the caller is interrupted, which ends that wait; the
 * interrupt is delivered only while the call runs and is cleared before this returns, so Kafka
 * code the thread runs next never sees it.
 */
final class BoundedAttempt {

    /** One watch for every call; a call's watch, cancelled when it returns, leaves the queue at once. */
    private static final ScheduledThreadPoolExecutor WATCH = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "xray-registry-call-limit");
        t.setDaemon(true);
        return t;
    });

    static {
        // Every serde call is watched, most of them cache hits of microseconds: without this a cancelled
        // watch would sit in the queue for the whole limit, thousands of them under load.
        WATCH.setRemoveOnCancelPolicy(true);
    }

    private enum State {
        RUNNING,
        DONE,
        CUT
    }

    private BoundedAttempt() {}

    /**
     * Runs the call; one still running after {@code limit} fails with a
     * {@link TimeoutException} among its causes (what {@link RegistryUnavailableException#unreachable}
     * counts as the registry not answering). A thread already interrupted runs it unbounded: that
     * interrupt is its owner's, not ours to clear.
     */
    static <T> T run(Supplier<T> call, Duration limit) {
        if (Thread.currentThread().isInterrupted()) {
            return call.get();
        }
        Thread caller = Thread.currentThread();
        Object lock = new Object();
        State[] state = {State.RUNNING};
        ScheduledFuture<?> watch = WATCH.schedule(
                () -> {
                    synchronized (lock) {
                        if (state[0] == State.RUNNING) {
                            state[0] = State.CUT;
                            caller.interrupt();
                        }
                    }
                },
                limit.toNanos(),
                TimeUnit.NANOSECONDS);
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            if (finish(lock, state, watch)) {
                IllegalStateException cut = new IllegalStateException(
                        "registry call cut off", new TimeoutException("no answer in " + limit.toMillis() + " ms"));
                cut.addSuppressed(e); // how the client reported the interrupt
                throw cut;
            }
            throw e;
        }
        finish(lock, state, watch); // an answer that came as the limit passed is still an answer
        return value;
    }

    /** Ends the watch; true if it cut the call off (its interrupt is cleared here). */
    private static boolean finish(Object lock, State[] state, ScheduledFuture<?> watch) {
        watch.cancel(false);
        synchronized (lock) {
            boolean cut = state[0] == State.CUT;
            state[0] = State.DONE;
            if (cut) {
                Thread.interrupted();
            }
            return cut;
        }
    }
}
