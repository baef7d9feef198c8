package io.xraydrift.drift.topology;

import java.util.Locale;

/** Names of the drift monitor's state stores, queried by the API. */
public final class StoreNames {

    /** Per-patient state, keyed by pseudonym (RocksDB, changelogged). */
    public static final String PATIENTS = "patients";
    /** Alerts keyed by {@link #alertKey}, for {@code GET /alerts?since=}. */
    public static final String ALERTS = "alerts-by-time";
    /** Thumbnails by scanId (global: every instance holds all of them). */
    public static final String THUMBNAILS = "thumbnails";

    private StoreNames() {}

    /** Key of an alert in the by-time store: zero-padded creation millis, then the alert id. */
    public static String alertKey(long createdAtMillis, String alertId) {
        return String.format(Locale.ROOT, "%013d|%s", createdAtMillis, alertId);
    }

    /** Lowest key at or after a time, for range scans. */
    public static String alertKeyFrom(long sinceMillis) {
        return String.format(Locale.ROOT, "%013d|", Math.max(0, sinceMillis));
    }
}
