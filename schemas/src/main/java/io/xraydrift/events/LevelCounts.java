package io.xraydrift.events;

import java.util.Collection;
import java.util.function.Function;

/**
 * How many of something fall in each {@link Level}: the labels among a scan's neighbours, the
 * labelled scans of a cohort. Immutable; {@link #plus} returns a new value.
 */
public record LevelCounts(int healthy, int infected, int severe) {

    public static final LevelCounts NONE = new LevelCounts(0, 0, 0);

    public LevelCounts {
        if (healthy < 0 || infected < 0 || severe < 0) {
            throw new IllegalArgumentException("level counts must not be negative: healthy " + healthy + ", infected "
                    + infected + ", severe " + severe);
        }
    }

    /** The levels of {@code items}, counted. */
    public static <T> LevelCounts of(Collection<T> items, Function<? super T, Level> level) {
        int[] n = new int[3];
        for (T item : items) {
            switch (level.apply(item)) {
                case HEALTHY -> n[0]++;
                case INFECTED -> n[1]++;
                case SEVERE -> n[2]++;
            }
        }
        return new LevelCounts(n[0], n[1], n[2]);
    }

    public int get(Level level) {
        return switch (level) {
            case HEALTHY -> healthy;
            case INFECTED -> infected;
            case SEVERE -> severe;
        };
    }

    /** These counts with {@code n} more of {@code level}. */
    public LevelCounts plus(Level level, int n) {
        return switch (level) {
            case HEALTHY -> new LevelCounts(healthy + n, infected, severe);
            case INFECTED -> new LevelCounts(healthy, infected + n, severe);
            case SEVERE -> new LevelCounts(healthy, infected, severe + n);
        };
    }

    public LevelCounts plus(Level level) {
        return plus(level, 1);
    }

    public int total() {
        return healthy + infected + severe;
    }

    /** The level with the most; a tie goes to the milder level. */
    public Level majority() {
        return healthy >= infected && healthy >= severe
                ? Level.HEALTHY
                : infected >= severe ? Level.INFECTED : Level.SEVERE;
    }
}
