package io.xraydrift.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void notReadyBeforeAnyCheckIsRegistered() {
        Health h = new Health();
        assertFalse(h.ready(), "a service whose checks do not exist yet is starting, not ready");
        h.register("loop", () -> true);
        assertTrue(h.ready());
    }

    @Test
    void aDeadLoopTurnsLivenessDownWhileReadinessIsItsOwnMatter() {
        Health h = new Health();
        AtomicBoolean loopAlive = new AtomicBoolean(true);
        h.register("kafka", () -> true);
        h.registerLiveness("work-loop", loopAlive::get);
        assertTrue(h.live() && h.ready());
        loopAlive.set(false);
        assertFalse(h.live());
        assertEquals(Map.of("work-loop", false), h.livenessStates());
        assertTrue(h.ready(), "readiness has its own checks");
        h.registerLiveness("throws", () -> {
            throw new IllegalStateException("x");
        });
        assertEquals(Map.of("throws", false, "work-loop", false), h.livenessStates());
    }
}
