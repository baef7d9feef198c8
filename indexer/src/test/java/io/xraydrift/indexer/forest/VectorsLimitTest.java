package io.xraydrift.indexer.forest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The vectors' one-array limit: refused with a message naming it, never an overflowed offset. */
class VectorsLimitTest {

    @Test
    void theLimitIsTwoToTheThirtyOneFloatsInOneArray() {
        assertEquals(1_048_575, Vectors.maxVectors(2048));
        assertEquals((Integer.MAX_VALUE - 8) / 256, Vectors.maxVectors(256));
        assertTrue((long) Vectors.maxVectors(2048) * 2048 <= Integer.MAX_VALUE, "the last offset fits an int");
    }

    @Test
    void onePastTheLimitIsRefusedNamingIt() {
        assertDoesNotThrow(() -> Vectors.ensureRoom(Vectors.maxVectors(2048), 2048));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Vectors.ensureRoom(Vectors.maxVectors(2048) + 1, 2048));
        assertTrue(e.getMessage().contains("at most 1048575 vectors of 2048 dimensions"), e.getMessage());
        assertTrue(e.getMessage().contains("shard"), e.getMessage());
    }
}
