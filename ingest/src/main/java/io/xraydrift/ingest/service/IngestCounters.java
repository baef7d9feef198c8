package io.xraydrift.ingest.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Ingest's counters, tagged by way in ({@code intake}, {@code http}, {@code dicomweb}) — never by
 * anything about the patient.
 */
final class IngestCounters {

    private final MeterRegistry registry;

    IngestCounters(MeterRegistry registry) {
        this.registry = registry;
    }

    void accepted(String way, int n) {
        Counter.builder("xray_ingest_accepted")
                .description("scans accepted and written")
                .tag("way", way)
                .register(registry)
                .increment(n);
    }

    void rejected(String way) {
        rejected(way, 1);
    }

    void rejected(String way, int n) {
        Counter.builder("xray_ingest_rejected")
                .description("scans refused (dead-lettered)")
                .tag("way", way)
                .register(registry)
                .increment(n);
    }

    void undated(String way) {
        Counter.builder("xray_ingest_undated")
                .description("films without a plausible acquisition time, given the "
                        + "time ingest received them (marked acquiredAtFromReceipt)")
                .tag("way", way)
                .register(registry)
                .increment();
    }

    void duplicate(String way) {
        Counter.builder("xray_ingest_duplicates")
                .description("scans already emitted, not written again")
                .tag("way", way)
                .register(registry)
                .increment();
    }
}
