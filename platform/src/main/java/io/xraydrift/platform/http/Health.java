package io.xraydrift.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Named readiness checks of one service (liveness is the process answering at all). A service
 * is ready when every check passes, e.g. "kafka" once its clients are up, "model" once loaded.
 */
public final class Health {

    private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();

    /** Adds or replaces a check. */
    public void register(String name, BooleanSupplier check) {
        checks.put(name, check);
    }

    /** Each check's current state, by name (a check that throws counts as failing). */
    public Map<String, Boolean> states() {
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

    /** True when every check passes. */
    public boolean ready() {
        return states().values().stream().allMatch(Boolean::booleanValue);
    }
}
