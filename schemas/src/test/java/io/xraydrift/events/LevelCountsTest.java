package io.xraydrift.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LevelCountsTest {

    @Test
    void countsEachLevel() {
        LevelCounts c = LevelCounts.of(List.of("h", "s", "s", "i", "s"), s -> switch (s) {
            case "h" -> Level.HEALTHY;
            case "i" -> Level.INFECTED;
            default -> Level.SEVERE;
        });
        assertEquals(new LevelCounts(1, 1, 3), c);
        assertEquals(3, c.get(Level.SEVERE));
        assertEquals(5, c.total());
        assertEquals(Level.SEVERE, c.majority());
    }

    @Test
    void plusLeavesTheOriginalAlone() {
        LevelCounts none = LevelCounts.NONE;
        LevelCounts one = none.plus(Level.INFECTED);
        assertEquals(0, none.total());
        assertEquals(new LevelCounts(0, 1, 0), one);
        assertEquals(new LevelCounts(0, 1, 4), one.plus(Level.SEVERE, 4));
    }

    @Test
    void aTieGoesToTheMilderLevel() {
        assertEquals(Level.HEALTHY, new LevelCounts(2, 2, 2).majority());
        assertEquals(Level.INFECTED, new LevelCounts(1, 3, 3).majority());
        assertEquals(Level.HEALTHY, LevelCounts.NONE.majority());
    }

    @Test
    void refusesNegativeCountsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LevelCounts(1, -2, 0));
        assertTrue(e.getMessage().contains("infected -2"), e.getMessage());
    }
}
