package io.xraydrift.indexer.reference;

import io.xraydrift.events.Level;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The grade axis: a ridge regression of the labelled scans' grades (a scan's radiologist severity
 * where it carries one, else its label's grade) on their vectors as the index holds them, with an
 * intercept. Six groups (each level, rated or not) weigh the same whatever their sizes, so the
 * many unrated films of one source do not drown the rated ones; the weights sum to the number of
 * scans and the ridge penalty is {@value #PENALTY}. A scan's position on the axis is the grade the
 * fit gives it, with the scan's own patient's labelled films left out of the fit (the
 * neighbours leave them out too), by a low-rank (Woodbury) correction of the fit on all films.
 *
 * <p>It replaces the line from the healthy centroid to the severe centroid, which is the same
 * question asked of two groups only: measured on {@code dev/} (docs/real-data.md, "The grade
 * axis") it makes the score follow the radiologist better for the bundled model and keeps it for
 * a site's. Pure arithmetic: sums per group are kept as scans are added; the fit is solved when
 * first asked after a change.
 */
final class GradeAxis {

    /** Ridge penalty, with the scans' weights summing to their number. */
    static final double PENALTY = 0.1;

    private static final int GROUPS = Level.values().length * 2;

    private final int dim;
    private final int size;
    /** Per group: the upper triangle of sum(x x^T) over x = [v, 1], then sum(grade x), then the count. */
    private final double[][] gram = new double[GROUPS][];

    private final double[][] moment = new double[GROUPS][];
    private final int[] counts = new int[GROUPS];

    GradeAxis(int dim) {
        this.dim = dim;
        this.size = dim + 1;
        for (int g = 0; g < GROUPS; g++) {
            gram[g] = new double[size * size];
            moment[g] = new double[size];
        }
    }

    private static int group(Level label, double severity) {
        return label.ordinal() * 2 + (Double.isNaN(severity) ? 0 : 1);
    }

    /** Adds one labelled vector ({@code data[offset .. offset + dim)}, as the index holds it). */
    void add(float[] data, int offset, Level label, double severity) {
        int g = group(label, severity);
        double y = Scoring.grade(label, severity);
        double[] a = gram[g];
        double[] b = moment[g];
        for (int i = 0; i < size; i++) {
            double xi = i < dim ? data[offset + i] : 1;
            b[i] += y * xi;
            int row = i * size;
            for (int j = i; j < size; j++) {
                a[row + j] += xi * (j < dim ? data[offset + j] : 1);
            }
        }
        counts[g]++;
    }

    /** The fit on every scan added so far: the inverse of the penalised weighted Gram matrix and the weights. */
    record Fit(double[] inverse, double[] weights, double[] groupWeight) {}

    /** Solves the fit (NaN-free once at least one scan was added). */
    Fit fit() {
        int total = Arrays.stream(counts).sum();
        long groups = Arrays.stream(counts).filter(c -> c > 0).count();
        double[] w = new double[GROUPS];
        DMatrixRMaj a = new DMatrixRMaj(size, size);
        double[] b = new double[size];
        for (int g = 0; g < GROUPS; g++) {
            if (counts[g] == 0) {
                continue;
            }
            w[g] = (double) total / (counts[g] * groups);
            for (int i = 0; i < size; i++) {
                b[i] += w[g] * moment[g][i];
                for (int j = i; j < size; j++) {
                    a.add(i, j, w[g] * gram[g][i * size + j]);
                }
            }
        }
        for (int i = 0; i < size; i++) {
            a.add(i, i, PENALTY);
            for (int j = 0; j < i; j++) {
                a.set(i, j, a.get(j, i));
            }
        }
        DMatrixRMaj inverse = new DMatrixRMaj(size, size);
        if (!CommonOps_DDRM.invertSPD(a, inverse)) {
            throw new IllegalStateException("grade axis: the penalised Gram matrix is not positive definite");
        }
        double[] p = inverse.getData();
        return new Fit(p, times(p, b, size), w);
    }

    /** One of the query's own patient's labelled films: its vector as the index holds it, level and severity. */
    record Own(float[] data, int offset, Level label, double severity) {}

    /**
     * The grade the fit gives {@code q} (normalised as the index holds it), refitted without the
     * films in {@code own}: with P the inverse and X the left-out rows weighted by S, the inverse
     * without them is P + P X^T (S^-1 - X P X^T)^-1 X P, so only |own| + 1 products with P are needed.
     */
    static double position(Fit fit, float[] q, List<Own> own) {
        int n = fit.weights().length;
        double[] x = augmented(q, 0, n);
        double plain = dot(x, fit.weights());
        if (own.isEmpty()) {
            return plain;
        }
        double[] pq = times(fit.inverse(), x, n);
        int m = own.size();
        double[][] rows = new double[m][];
        double[][] prow = new double[m][];
        double[] s = new double[m];
        double[] y = new double[m];
        for (int r = 0; r < m; r++) {
            Own o = own.get(r);
            rows[r] = augmented(o.data(), o.offset(), n);
            prow[r] = times(fit.inverse(), rows[r], n);
            s[r] = fit.groupWeight()[group(o.label(), o.severity())];
            y[r] = Scoring.grade(o.label(), o.severity());
        }
        // P b' = beta - sum_r s_r y_r P x_r, the fit's right-hand side without the left-out films
        double[] pb = fit.weights().clone();
        for (int r = 0; r < m; r++) {
            for (int i = 0; i < n; i++) {
                pb[i] -= s[r] * y[r] * prow[r][i];
            }
        }
        DMatrixRMaj core = new DMatrixRMaj(m, m);
        DMatrixRMaj right = new DMatrixRMaj(m, 1);
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                core.set(r, c, (r == c ? 1 / s[r] : 0) - dot(rows[r], prow[c]));
            }
            right.set(r, 0, dot(rows[r], pb));
        }
        DMatrixRMaj solved = new DMatrixRMaj(m, 1);
        if (!CommonOps_DDRM.solve(core, right, solved)) {
            return plain;
        }
        double position = dot(x, pb);
        for (int r = 0; r < m; r++) {
            position += dot(pq, rows[r]) * solved.get(r, 0);
        }
        return position;
    }

    private static double[] augmented(float[] data, int offset, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n - 1; i++) {
            x[i] = data[offset + i];
        }
        x[n - 1] = 1;
        return x;
    }

    private static double[] times(double[] p, double[] x, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int row = i * n;
            for (int j = 0; j < n; j++) {
                s += p[row + j] * x[j];
            }
            out[i] = s;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
