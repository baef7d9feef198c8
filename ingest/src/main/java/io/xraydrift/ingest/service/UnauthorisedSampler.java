package io.xraydrift.ingest.service;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which unauthorised lookups go on the audit trail: the first from a caller address in each window
 * (a minute), with the count of those the previous window only counted. A caller without the token
 * can then no longer fill the broker's disk one record per request, and the trail still says who
 * tried, when, and how often. At most {@value #ADDRESSES} addresses are tracked (oldest forgotten).
 */
final class UnauthorisedSampler {

    static final int ADDRESSES = 10_000;

    /** Whether to record this attempt, and how many from the address went unrecorded before it. */
    record Decision(boolean record, long unrecordedBefore) {}

    private final long windowNanos;
    private final Map<String, long[]> byAddress = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > ADDRESSES;
        }
    };

    UnauthorisedSampler(Duration window) {
        this.windowNanos = window.toNanos();
    }

    /** An unauthorised attempt from {@code address} at {@code nanos} (System.nanoTime()). */
    synchronized Decision attempt(String address, long nanos) {
        long[] w = byAddress.get(address); // {window start, unrecorded in this window}
        if (w == null || nanos - w[0] >= windowNanos) {
            long before = w == null ? 0 : w[1];
            byAddress.put(address, new long[] {nanos, 0});
            return new Decision(true, before);
        }
        w[1]++;
        return new Decision(false, 0);
    }
}
