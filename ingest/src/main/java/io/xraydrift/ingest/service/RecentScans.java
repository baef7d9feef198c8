package io.xraydrift.ingest.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scan ids this instance emitted lately (bounded, least recently seen dropped first), so the same
 * scan sent twice — an upload retried, a feed re-sending — gives one event. Beyond the bound or
 * across instances the downstream stages still key everything by scan id (the drift monitor
 * ignores a repeated scan).
 */
final class RecentScans {

    private final Map<String, Boolean> ids;

    RecentScans(int capacity) {
        this.ids = new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True when the id was seen before; records it either way. */
    synchronized boolean seen(String scanId) {
        return ids.put(scanId, Boolean.TRUE) != null;
    }

    /** Forgets an id whose event could not be written. */
    synchronized void forget(String scanId) {
        ids.remove(scanId);
    }
}
