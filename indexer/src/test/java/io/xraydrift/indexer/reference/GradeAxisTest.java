package io.xraydrift.indexer.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.Level;
import io.xraydrift.indexer.forest.Metric;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class GradeAxisTest {

    private static final int DIM = 6;

    /** A labelled film: its vector, level and severity (NaN: not rated). */
    private record Film(float[] v, Level level, double severity) {}

    /** Films whose grade (a rated film's severity, else its label's) is the first coordinate, the rest noise. */
    private static List<Film> films(int n, long seed) {
        Random r = new Random(seed);
        List<Film> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Level level = Level.values()[i % 3];
            boolean rated = level != Level.HEALTHY && i % 2 == 0;
            double grade = !rated
                    ? Scoring.grade(level)
                    : level == Level.INFECTED ? 0.2 + 0.25 * r.nextDouble() : 0.5 + 0.5 * r.nextDouble();
            float[] v = new float[DIM];
            v[0] = (float) grade;
            for (int d = 1; d < DIM; d++) {
                v[d] = (float) (0.3 * r.nextGaussian());
            }
            out.add(new Film(v, level, rated ? grade : Double.NaN));
        }
        return out;
    }

    private static GradeAxis axisOf(List<Film> films) {
        GradeAxis axis = new GradeAxis(DIM);
        films.forEach(f -> axis.add(f.v(), 0, f.level(), f.severity()));
        return axis;
    }

    @Test
    void aFilmIsPlacedByTheGradeItsVectorCarries() {
        List<Film> films = films(300, 1);
        GradeAxis.Fit fit = axisOf(films).fit();
        for (Film f : films(30, 2)) {
            if (!Double.isNaN(f.severity())) {
                assertEquals(f.severity(), GradeAxis.position(fit, f.v(), List.of()), 0.05);
            }
        }
        float[] mild = films(30, 3).get(1).v();
        float[] worse = mild.clone();
        worse[0] += 0.3f;
        assertTrue(GradeAxis.position(fit, worse, List.of()) > GradeAxis.position(fit, mild, List.of()) + 0.2);
    }

    /** The low-rank correction gives what solving the fit again without the left-out films gives. */
    @Test
    void leavingAPatientOutEqualsRefittingWithoutTheirFilms() {
        List<Film> films = films(40, 4);
        GradeAxis.Fit fit = axisOf(films).fit();
        List<Integer> own = List.of(3, 17, 28);
        float[] query = films(5, 5).get(2).v();
        List<GradeAxis.Own> left = own.stream()
                .map(i -> new GradeAxis.Own(
                        films.get(i).v(), 0, films.get(i).level(), films.get(i).severity()))
                .toList();

        int n = DIM + 1;
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        for (int i = 0; i < films.size(); i++) {
            if (own.contains(i)) {
                continue;
            }
            Film f = films.get(i);
            double w = fit.groupWeight()[f.level().ordinal() * 2 + (Double.isNaN(f.severity()) ? 0 : 1)];
            double[] x = new double[n];
            for (int d = 0; d < DIM; d++) {
                x[d] = f.v()[d];
            }
            x[DIM] = 1;
            for (int r = 0; r < n; r++) {
                b.add(r, 0, w * Scoring.grade(f.level(), f.severity()) * x[r]);
                for (int c = 0; c < n; c++) {
                    a.add(r, c, w * x[r] * x[c]);
                }
            }
        }
        for (int d = 0; d < n; d++) {
            a.add(d, d, GradeAxis.PENALTY);
        }
        DMatrixRMaj beta = new DMatrixRMaj(n, 1);
        assertTrue(CommonOps_DDRM.solve(a, b, beta));
        double expected = beta.get(DIM, 0);
        for (int d = 0; d < DIM; d++) {
            expected += beta.get(d, 0) * query[d];
        }
        assertEquals(expected, GradeAxis.position(fit, query, left), 1e-9);
    }

    @Test
    void eachGroupWeighsTheSameWhateverItsSize() {
        List<Film> films = new ArrayList<>(films(30, 6));
        for (int i = 0; i < 300; i++) {
            films.add(new Film(films.get(0).v(), Level.HEALTHY, Double.NaN));
        }
        GradeAxis.Fit fit = axisOf(films).fit();
        double healthy = 0;
        double severeRated = 0;
        for (Film f : films) {
            double w = fit.groupWeight()[f.level().ordinal() * 2 + (Double.isNaN(f.severity()) ? 0 : 1)];
            if (f.level() == Level.HEALTHY) {
                healthy += w;
            } else if (f.level() == Level.SEVERE && !Double.isNaN(f.severity())) {
                severeRated += w;
            }
        }
        assertEquals(healthy, severeRated, 1e-9);
    }

    /** The index leaves a patient's own labelled films out of the fit that places that patient's scans. */
    @Test
    void aPatientsOwnLabelledFilmDoesNotPlaceThem() {
        try (ReferenceIndex index =
                new ReferenceIndex("m", "v1", Metric.ANGULAR, DIM, 5, 42, 1e9, Duration.ofDays(365), (b, s) -> {})) {
            List<Film> films = films(90, 7);
            for (int i = 0; i < films.size(); i++) {
                Film f = films.get(i);
                index.add("s-" + i, "p-" + i, f.level(), f.severity(), f.v());
            }
            try (ReferenceIndex empty = new ReferenceIndex(
                    "m", "v0", Metric.ANGULAR, DIM, 5, 42, 1e9, Duration.ofDays(365), (b, s) -> {})) {
                assertTrue(Double.isNaN(empty.axisPosition(films.get(0).v())), "no axis without references");
            }
            float[] v = films.get(0).v().clone();
            v[0] = 0.3f;
            index.add("own", "p-own", Level.SEVERE, 1.0, v);
            double others = index.axisPosition(v, "p-own");
            double withOwn = index.axisPosition(v, "p-else");
            assertTrue(others < withOwn, "own film left out: " + others + " against " + withOwn);
            assertEquals(others, index.axisPosition(v, "p-own"), 0.0, "the same answer each time");
        }
    }
}
