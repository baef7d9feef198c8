package io.xraydrift.phantoms;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** How a patient's severity moves over a series of scans. */
public enum Trajectory {
    /** Healthy at first, then rising steadily into the severe range. */
    WORSENING,
    /** Healthy throughout, scan to scan jitter only. */
    STABLE,
    /** Severe or infected at first, recovering to healthy. */
    IMPROVING,
    /** Mild infection coming and going, no trend. */
    FLUCTUATING;

    /** One planned scan: when, and at which severity. */
    public record Point(Instant acquiredAt, double severity) {}

    /** The severities and acquisition times of {@code scans} scans starting at {@code start}, from a seed. */
    public List<Point> plan(int scans, Instant start, long seed) {
        if (scans < 2) {
            throw new IllegalArgumentException("a trajectory needs at least 2 scans, was " + scans);
        }
        SplittableRandom r = new SplittableRandom(seed ^ ordinal() * 0x632BE59BD9B4E019L);
        List<Point> points = new ArrayList<>(scans);
        Instant t = start;
        double peak = r.nextDouble(0.75, 0.95);
        double from = r.nextDouble(0.62, 0.85);
        double phase = r.nextDouble(0, Math.PI);
        int healthyScans = 1 + r.nextInt(2);
        for (int i = 0; i < scans; i++) {
            double f = (double) i / (scans - 1);
            double s = switch (this) {
                case WORSENING ->
                    i < healthyScans ? r.nextDouble(0, 0.04) : peak * (i - healthyScans + 1) / (scans - healthyScans);
                case STABLE -> r.nextDouble(0, 0.06);
                case IMPROVING -> Math.max(0, from * (1 - f) + r.nextDouble(-0.02, 0.02));
                case FLUCTUATING -> 0.2 + 0.12 * Math.sin(phase + i * 2.1) + r.nextDouble(-0.03, 0.03);
            };
            points.add(new Point(t, Math.max(0, Math.min(1, s))));
            t = t.plus(Duration.ofHours(18 + r.nextInt(36)));
        }
        return points;
    }
}
