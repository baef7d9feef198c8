package io.xraydrift.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Named readiness checks of one service, and liveness checks: a service is ready when every
 * readiness check passes ("kafka" once its clients are up, "model" once loaded), and live while
 * every liveness check does — a work loop that died turns liveness DOWN, so an orchestrator
 * restarts the process (and {@code ServiceRunner} exits it with a non-zero code).
 */
public final class Health {

    private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();
    private final Map<String, BooleanSupplier> liveness = new ConcurrentHashMap<>();
    private final Map<String, Supplier<String>> problems = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** Adds or replaces a check. */
    public void register(String name, BooleanSupplier check) {
        checks.put(name, check);
    }

    /**
     * Adds or replaces a check that says what is wrong: ready while {@code problem} gives null, and
     * its text is shown under {@code problems} in the health answer.
     */
    public void registerProblem(String name, Supplier<String> problem) {
        problems.put(name, problem);
        checks.put(name, () -> problem.get() == null);
    }

    /** The problems of the checks that say what is wrong, by name (only those failing now). */
    public Map<String, String> problems() {
        Map<String, String> out = new LinkedHashMap<>();
        problems.keySet().stream().sorted().forEach(name -> {
            String p = problems.get(name).get();
            if (p != null) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** Adds or replaces a liveness check: false means the process should be restarted. */
    public void registerLiveness(String name, BooleanSupplier check) {
        liveness.put(name, check);
    }

    /** The service was asked to stop: its loops ending is expected, so liveness stays UP from here. */
    public void stopping() {
        stopping = true;
    }

    /** True while every liveness check passes (always once {@link #stopping()} was called). */
    public boolean live() {
        return stopping || evaluate(liveness).values().stream().allMatch(Boolean::booleanValue);
    }

    /** Each liveness check's state, by name. */
    public Map<String, Boolean> livenessStates() {
        return evaluate(liveness);
    }

    /** Each check's current state, by name (a check that throws counts as failing). */
    public Map<String, Boolean> states() {
        return evaluate(checks);
    }

    private static Map<String, Boolean> evaluate(Map<String, BooleanSupplier> checks) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        checks.keySet().stream().sorted().forEach(name -> {
            boolean up;
            try {
                up = checks.get(name).getAsBoolean();
            } catch (RuntimeException e) {
                up = false;
            }
            out.put(name, up);
        });
        return out;
    }

    /** True when every check passes, and there is at least one: a service whose checks are not registered yet is starting. */
    public boolean ready() {
        Map<String, Boolean> states = states();
        return !states.isEmpty() && states.values().stream().allMatch(Boolean::booleanValue);
    }
}
