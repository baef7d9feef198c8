package io.xraydrift.indexer.reference;

import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.platform.score.LevelThresholds;
import java.util.List;

/**
 * Severity from neighbours: the distance-weighted mean grade of the k nearest labelled scans
 * (a neighbour's radiologist severity in [0, 1] where its reference scan carries one, else its
 * label's grade: healthy 0, infected 0.5, severe 1) blended with the scan's position on the grade
 * axis (the grade a ridge fit of the labelled scans' grades on their vectors gives it, see
 * {@link GradeAxis}). Pure arithmetic, no Kafka types.
 *
 * @param thresholds  where the score changes level (shared with the drift monitor)
 * @param axisWeight  weight of the axis position in the score (the rest is the neighbour grade)
 * @param modelLevels whether a model's own fitted thresholds, where its scans carry them, replace
 *                    {@code thresholds} (the deployment did not set its own)
 */
public record Scoring(LevelThresholds thresholds, double axisWeight, boolean modelLevels) {

    public Scoring(LevelThresholds thresholds, double axisWeight) {
        this(thresholds, axisWeight, false);
    }

    public Scoring(double infectedThreshold, double severeThreshold, double axisWeight) {
        this(new LevelThresholds(infectedThreshold, severeThreshold), axisWeight);
    }

    /** The scoring of one model's scans: its own fitted thresholds where it has them and they apply. */
    public Scoring forModel(Double infected, Double severe) {
        LevelThresholds t = thresholds.orModel(modelLevels, infected, severe);
        return t == thresholds ? this : new Scoring(t, axisWeight, modelLevels);
    }

    public double infectedThreshold() {
        return thresholds.infected();
    }

    public double severeThreshold() {
        return thresholds.severe();
    }

    /** One labelled neighbour; {@code severity} is its radiologist severity, NaN when not rated. */
    public record Labelled(String scanId, float distance, Level label, double severity) {

        public Labelled(String scanId, float distance, Level label) {
            this(scanId, distance, label, Double.NaN);
        }

        /** What the neighbour contributes to the score: its severity where rated, else its label's grade. */
        public double grade() {
            return Scoring.grade(label, severity);
        }
    }

    /** The score of one scan; {@code composition} counts its neighbours' labels. */
    public record Score(LevelCounts composition, double gradeMean, double axisPosition, double score, Level level) {}

    /** A labelled scan's grade: its radiologist severity where rated (not NaN), else its label's. */
    public static double grade(Level label, double severity) {
        return Double.isNaN(severity) ? grade(label) : severity;
    }

    public static double grade(Level label) {
        return switch (label) {
            case HEALTHY -> 0.0;
            case INFECTED -> 0.5;
            case SEVERE -> 1.0;
        };
    }

    /** Scores a scan from its neighbours and its grade-axis position (NaN while the axis cannot be fitted yet). */
    public Score score(List<Labelled> neighbours, double axisPosition) {
        double weighted = 0;
        double weights = 0;
        for (Labelled n : neighbours) {
            double w = 1.0 / (1e-3 + Math.max(0, n.distance()));
            weighted += w * n.grade();
            weights += w;
        }
        double gradeMean = weights > 0 ? weighted / weights : 0;
        boolean axisKnown = !Double.isNaN(axisPosition);
        double axis = axisKnown ? Math.max(0, Math.min(1, axisPosition)) : gradeMean;
        double score = axisKnown ? (1 - axisWeight) * gradeMean + axisWeight * axis : gradeMean;
        return new Score(LevelCounts.of(neighbours, Labelled::label), gradeMean, axis, score, thresholds.of(score));
    }
}
