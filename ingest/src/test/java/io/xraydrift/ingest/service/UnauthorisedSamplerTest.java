package io.xraydrift.ingest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnauthorisedSamplerTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void aFloodFromOneAddressIsOneRecordPerMinuteWithTheCountOfTheRest() {
        UnauthorisedSampler s = new UnauthorisedSampler(Duration.ofMinutes(1));
        assertTrue(s.attempt("10.0.0.9", 0).record());
        for (int i = 1; i <= 999; i++) {
            assertFalse(s.attempt("10.0.0.9", i * 1000L).record());
        }
        assertTrue(s.attempt("10.0.0.7", 5).record(), "another address is recorded on its own");
        UnauthorisedSampler.Decision next = s.attempt("10.0.0.9", MINUTE);
        assertTrue(next.record());
        assertEquals(999, next.unrecordedBefore());
    }
}
