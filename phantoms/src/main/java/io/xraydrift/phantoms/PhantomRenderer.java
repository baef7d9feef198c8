package io.xraydrift.phantoms;

import java.util.SplittableRandom;

/**
 * Renders frontal chest radiograph phantoms. Builds an attenuation (density) map of the patient's
 * anatomy, adds COVID-19-like pathology for a severity s in [0, 1] — bilateral, peripheral,
 * lower-zone ground-glass opacities that grow with s and consolidate at high s, and a diffuse
 * filling of the air spaces that whitens the lungs and erases the heart and diaphragm borders
 * ("the chest cavity becomes indistinct") — then images it: attenuation to intensity, the
 * acquisition's rotation, shift, blur and quantum noise. Deterministic from its seeds.
 * Thread-safe: holds only immutable tables.
 */
public final class PhantomRenderer {

    /** Candidate lesions per phantom; they switch on one by one as severity rises. */
    static final int LESIONS = 28;

    private static final int EXP_TABLE = 4096;
    private static final float EXP_MAX_DENSITY = 2.0f;
    private static final float ATTENUATION = 1.7f;
    private static final float[] ONE_MINUS_EXP = new float[EXP_TABLE + 1];
    private static final float[] SQRT = new float[256];
    private static final int GAUSS_TABLE = 1 << 14;
    private static final float[] GAUSS = new float[GAUSS_TABLE];

    static {
        for (int i = 0; i <= EXP_TABLE; i++) {
            ONE_MINUS_EXP[i] = (float) (1 - Math.exp(-ATTENUATION * EXP_MAX_DENSITY * i / EXP_TABLE));
        }
        for (int i = 0; i < 256; i++) {
            SQRT[i] = (float) Math.sqrt(Math.max(0.02, i / 255.0));
        }
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < GAUSS_TABLE; i++) {
            GAUSS[i] = (float) gaussian(r);
        }
    }

    private static final int TEXTURE = 256;
    /** Tileable mottling for opacities: value noise at 22 cycles per image width, sampled per lesion offset. */
    private static final float[] MOTTLE = new float[TEXTURE * TEXTURE];

    static {
        double cycles = 22.0 * TEXTURE / 512;
        for (int y = 0; y < TEXTURE; y++) {
            for (int x = 0; x < TEXTURE; x++) {
                MOTTLE[y * TEXTURE + x] = (float) (0.55
                        + 0.45 * tiledNoise(x * cycles / TEXTURE, y * cycles / TEXTURE, (int) Math.round(cycles)));
            }
        }
    }

    private final int size;
    private final float textureScale;

    /** @param size width and height in pixels (e.g. 512) */
    public PhantomRenderer(int size) {
        if (size < 32 || size > 4096) {
            throw new IllegalArgumentException("phantom size " + size + " is outside [32, 4096]");
        }
        this.size = size;
        this.textureScale = 512f / size;
    }

    public int size() {
        return size;
    }

    /** One scan of a patient with the given anatomy and acquisition at severity s. */
    public Phantom render(Anatomy anatomy, Acquisition acquisition, double severity, long lesionSeed) {
        if (!(severity >= 0 && severity <= 1)) {
            throw new IllegalArgumentException("severity " + severity + " is outside [0, 1]");
        }
        float[] density = new float[size * size];
        float[] air = new float[size * size];
        float[] lung = new float[size * size];
        Anatomy a = acquisition.portable() ? magnified(anatomy) : anatomy;
        drawAnatomy(a, density, air, lung);
        drawPathology(a, severity, lesionSeed, density, air, lung);
        float[] intensity = image(density, acquisition);
        float[] moved = transform(intensity, acquisition);
        blur(moved, Math.round(acquisition.blur() * size / 512f));
        return new Phantom(size, size, quantise(moved, acquisition));
    }

    /** The lung-field mask (0..1) of an anatomy in the reference frame (no acquisition transform). */
    float[] lungFields(Anatomy anatomy) {
        float[] lung = new float[size * size];
        drawAnatomy(anatomy, new float[size * size], new float[size * size], lung);
        return lung;
    }

    /** The AP/portable projection magnifies the heart and lifts the clavicles. */
    private static Anatomy magnified(Anatomy a) {
        return new Anatomy(
                a.midline(),
                a.bodyHalfWidth(),
                a.tissue(),
                a.right(),
                a.left(),
                a.heartX(),
                a.heartY(),
                a.heartHalfWidth() * 1.12,
                a.heartHalfHeight() * 1.08,
                a.heartDensity(),
                a.mediastinumHalfWidth() * 1.1,
                a.spineHalfWidth(),
                a.ribStart(),
                a.ribSpacing(),
                a.ribSlope() * 0.7,
                a.ribThickness(),
                a.ribs(),
                a.clavicleY() - 0.03,
                a.clavicleSlope() * 0.5);
    }

    private void drawAnatomy(Anatomy a, float[] density, float[] air, float[] lung) {
        float inv = 1f / size;
        Anatomy.Lung[] lungs = {a.right(), a.left()};
        for (int iy = 0; iy < size; iy++) {
            float y = (iy + 0.5f) * inv;
            float bodyHalf = (float) (a.bodyHalfWidth() * (0.7 + 0.3 * smoothstep(0.02, 0.2, y)));
            float hy = (float) ((y - a.heartY()) / a.heartHalfHeight());
            float upper = (float) smoothstep(0.04, 0.12, y);
            boolean heartRow = hy * hy < 1;
            boolean lungRow = Math.abs(y - a.right().y()) < a.right().halfHeight() * 1.05
                    || Math.abs(y - a.left().y()) < a.left().halfHeight() * 1.05;
            boolean nearClavicles = y > a.clavicleY() - a.clavicleSlope() * 0.26 - 0.02 && y < a.clavicleY() + 0.02;
            int row = iy * size;
            int from = Math.max(0, (int) ((a.midline() - bodyHalf) * size) - 1);
            int to = Math.min(size, (int) ((a.midline() + bodyHalf) * size) + 2);
            for (int ix = from; ix < to; ix++) {
                float x = (ix + 0.5f) * inv;
                float bx = (float) ((x - a.midline()) / bodyHalf);
                if (bx <= -1 || bx >= 1) {
                    continue;
                }
                float thick = (float) Math.sqrt(1 - bx * bx);
                float d = (float) (a.tissue() * (0.3 + 0.7 * thick));
                float heart = 0;
                if (heartRow) {
                    float hx = (float) ((x - a.heartX()) / a.heartHalfWidth());
                    heart = clamp((1 - hx * hx - hy * hy) / 0.25f);
                }
                d += (float) (a.heartDensity() * heart);
                float dist = (float) Math.abs(x - a.midline());
                if (y < a.heartY()) {
                    d += 0.16f * clamp((float) (a.mediastinumHalfWidth() - dist) / 0.01f) * upper;
                }
                float spine = clamp((float) (a.spineHalfWidth() - dist) / 0.006f);
                if (spine > 0) {
                    d += spine * (0.08f + 0.03f * (float) Math.cos(2 * Math.PI * y / 0.045));
                }
                float lungMask = 0;
                float airHere = 0;
                for (Anatomy.Lung l : lungs) {
                    if (!lungRow || Math.abs(x - l.x()) > l.halfWidth() * 1.05) {
                        continue;
                    }
                    float lx = (float) ((x - l.x()) / l.halfWidth());
                    float ly = (float) ((y - l.y()) / l.halfHeight());
                    float e = lx * lx + ly * ly + 0.25f * lx * lx * ly * ly;
                    float inside = clamp((1 - e) / 0.12f);
                    if (inside > 0) {
                        float dx = (float) (x - l.x());
                        float dome = (float) (l.domeY() + 1.3 * dx * dx);
                        float m = inside * clamp((dome - y) / 0.012f);
                        lungMask = Math.max(lungMask, m);
                        airHere += (float) (l.air() * m * (0.55 + 0.45 * thick) * (1 - 0.85 * heart));
                    }
                }
                d -= airHere;
                d += ribs(a, x, y, dist, bodyHalf);
                if (nearClavicles) {
                    d += clavicles(a, x, y);
                }
                density[row + ix] = Math.max(0, d);
                air[row + ix] = airHere;
                lung[row + ix] = lungMask;
            }
        }
    }

    private static float ribs(Anatomy a, float x, float y, float dist, float bodyHalf) {
        if (dist < a.spineHalfWidth() || dist > bodyHalf * 0.95) {
            return 0;
        }
        double curve = a.ribSlope() * dist * (1 - dist / 0.9) - 0.04;
        double t = (y - a.ribStart() - curve) / a.ribSpacing();
        long k = Math.round(t);
        if (k < 0 || k >= a.ribs()) {
            return 0;
        }
        double dv = (t - k) * a.ribSpacing() / a.ribThickness();
        double profile = 1 - dv * dv;
        return profile > 0 ? (float) (0.07 * profile * (0.5 + 0.5 * Math.min(1, dist / 0.15))) : 0;
    }

    private static float clavicles(Anatomy a, float x, float y) {
        double sign = x < a.midline() ? -1 : 1;
        double x0 = a.midline() + sign * 0.03;
        double y0 = a.clavicleY();
        double x1 = a.midline() + sign * 0.29;
        double y1 = a.clavicleY() - a.clavicleSlope() * 0.26;
        double vx = x1 - x0;
        double vy = y1 - y0;
        double t = Math.max(0, Math.min(1, ((x - x0) * vx + (y - y0) * vy) / (vx * vx + vy * vy)));
        double ex = x - (x0 + t * vx);
        double ey = y - (y0 + t * vy);
        double profile = 1 - (ex * ex + ey * ey) / (0.013 * 0.013);
        return profile > 0 ? (float) (0.12 * profile) : 0;
    }

    /**
     * Severity-driven pathology. Every term is non-decreasing in s with the seeds fixed, so a
     * patient's lungs whiten monotonically as they worsen.
     */
    private void drawPathology(Anatomy a, double s, long lesionSeed, float[] density, float[] air, float[] lung) {
        if (s <= 0) {
            return;
        }
        float[] added = new float[density.length];
        float fill = (float) (0.15 * s + 0.55 * smoothstep(0.45, 1.0, s));
        Anatomy.Lung[] lungs = {a.right(), a.left()};
        double top = Math.min(
                a.right().y() - a.right().halfHeight(), a.left().y() - a.left().halfHeight());
        double bottom = Math.max(a.right().domeY(), a.left().domeY());
        for (int iy = 0; iy < size; iy++) {
            double y = (iy + 0.5) / size;
            float lower = (float) (0.55 + 0.45 * Math.max(0, Math.min(1, (y - top) / (bottom - top))));
            int row = iy * size;
            for (int ix = 0; ix < size; ix++) {
                float airHere = air[row + ix];
                if (airHere > 0) {
                    added[row + ix] = fill * lower * airHere;
                }
            }
        }
        SplittableRandom r = new SplittableRandom(lesionSeed ^ 0xC2B2AE3D27D4EB4FL);
        double consolidation = smoothstep(0.55, 1.0, s);
        for (int j = 0; j < LESIONS; j++) {
            Anatomy.Lung l = lungs[j % 2];
            double lateral = j % 2 == 0 ? -1 : 1;
            double onset = 0.04 + 0.56 * (j + r.nextDouble()) / LESIONS;
            double hr = r.nextDouble(0.35, 1.0);
            double vr = 1 - Math.sqrt(r.nextDouble()) * 0.9;
            double cx = l.x() + lateral * hr * l.halfWidth() * 0.75;
            double cy = l.y() - l.halfHeight() * 0.75 + vr * (l.domeY() - (l.y() - l.halfHeight() * 0.75) - 0.02);
            double sizeJitter = r.nextDouble(0.8, 1.25);
            long textureSeed = r.nextLong();
            double g = Math.max(0, Math.min(1, (s - onset) / 0.35));
            if (g <= 0) {
                continue;
            }
            double radius = l.halfWidth() * (0.3 + 0.45 * g) * sizeJitter;
            double amp = 0.07 + 0.06 * g + 0.12 * consolidation;
            lesion(added, lung, cx, cy, radius, amp, textureSeed);
        }
        // Filled air spaces become as dense as soft tissue, not denser.
        for (int i = 0; i < density.length; i++) {
            if (added[i] > 0) {
                density[i] += Math.min(added[i], 1.05f * air[i]);
            }
        }
    }

    private void lesion(float[] density, float[] lung, double cx, double cy, double radius, double amp, long seed) {
        int offsetX = (int) (seed & 0xFF);
        int offsetY = (int) ((seed >>> 8) & 0xFF);
        int x0 = Math.max(0, (int) ((cx - radius) * size));
        int x1 = Math.min(size - 1, (int) ((cx + radius) * size) + 1);
        int y0 = Math.max(0, (int) ((cy - radius) * size));
        int y1 = Math.min(size - 1, (int) ((cy + radius) * size) + 1);
        double r2 = radius * radius;
        for (int iy = y0; iy <= y1; iy++) {
            double y = (iy + 0.5) / size;
            int row = iy * size;
            for (int ix = x0; ix <= x1; ix++) {
                float inLung = lung[row + ix];
                if (inLung <= 0) {
                    continue;
                }
                double x = (ix + 0.5) / size;
                double q = 1 - ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2;
                if (q <= 0) {
                    continue;
                }
                int tx = ((int) (ix * textureScale) + offsetX) & (TEXTURE - 1);
                int ty = ((int) (iy * textureScale) + offsetY) & (TEXTURE - 1);
                double texture = MOTTLE[ty * TEXTURE + tx];
                density[row + ix] += (float) (amp * q * q * texture * inLung);
            }
        }
    }

    private float[] image(float[] density, Acquisition q) {
        float[] out = new float[density.length];
        float scale = EXP_TABLE / EXP_MAX_DENSITY;
        float contrast = (float) q.contrast();
        float gain = (float) q.gain();
        for (int i = 0; i < density.length; i++) {
            int idx = Math.min(EXP_TABLE, (int) (density[i] * scale));
            float v = ONE_MINUS_EXP[idx];
            out[i] = gain * (0.03f + 0.5f + contrast * (v - 0.5f));
        }
        return out;
    }

    /** Rotation about the centre and shift, by inverse mapping with bilinear interpolation. */
    private float[] transform(float[] src, Acquisition q) {
        if (q.rotation() == 0 && q.shiftX() == 0 && q.shiftY() == 0) {
            return src;
        }
        float[] out = new float[src.length];
        double cos = Math.cos(q.rotation());
        double sin = Math.sin(q.rotation());
        double c = size / 2.0;
        double sx = q.shiftX() * size;
        double sy = q.shiftY() * size;
        for (int iy = 0; iy < size; iy++) {
            double dy = iy + 0.5 - c - sy;
            for (int ix = 0; ix < size; ix++) {
                double dx = ix + 0.5 - c - sx;
                double u = cos * dx + sin * dy + c - 0.5;
                double v = -sin * dx + cos * dy + c - 0.5;
                int u0 = (int) Math.floor(u);
                int v0 = (int) Math.floor(v);
                if (u0 < 0 || v0 < 0 || u0 >= size - 1 || v0 >= size - 1) {
                    continue;
                }
                float fu = (float) (u - u0);
                float fv = (float) (v - v0);
                int i = v0 * size + u0;
                float top = src[i] + fu * (src[i + 1] - src[i]);
                float bottom = src[i + size] + fu * (src[i + size + 1] - src[i + size]);
                out[iy * size + ix] = top + fv * (bottom - top);
            }
        }
        return out;
    }

    /** Separable [1 2 1]/4 passes, both directions row by row (cache-friendly). */
    private void blur(float[] img, int passes) {
        float[] row = new float[size];
        float[] prev = new float[size];
        for (int p = 0; p < passes; p++) {
            for (int y = 0; y < size; y++) {
                int o = y * size;
                System.arraycopy(img, o, row, 0, size);
                for (int x = 1; x < size - 1; x++) {
                    img[o + x] = 0.25f * (row[x - 1] + row[x + 1]) + 0.5f * row[x];
                }
            }
            System.arraycopy(img, 0, prev, 0, size);
            for (int y = 1; y < size - 1; y++) {
                int o = y * size;
                System.arraycopy(img, o, row, 0, size);
                int next = o + size;
                for (int x = 0; x < size; x++) {
                    img[o + x] = 0.25f * (prev[x] + img[next + x]) + 0.5f * row[x];
                }
                float[] t = prev;
                prev = row;
                row = t;
            }
        }
    }

    private byte[] quantise(float[] img, Acquisition q) {
        byte[] out = new byte[img.length];
        long state = q.noiseSeed() | 1;
        float sigma = (float) (q.noise() * 0.018);
        for (int i = 0; i < img.length; i++) {
            float v = img[i];
            if (sigma > 0) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                int level = v <= 0 ? 0 : v >= 1 ? 255 : (int) (v * 255);
                v += GAUSS[(int) (state >>> 50)] * sigma * SQRT[level];
            }
            int g = Math.round(v * 255);
            out[i] = (byte) (g < 0 ? 0 : g > 255 ? 255 : g);
        }
        return out;
    }

    static double smoothstep(double edge0, double edge1, double x) {
        double t = Math.max(0, Math.min(1, (x - edge0) / (edge1 - edge0)));
        return t * t * (3 - 2 * t);
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    /** Smooth value noise in [0, 1] on the unit lattice, wrapping every {@code period} cells. */
    static double tiledNoise(double x, double y, int period) {
        long seed = 0x2545F4914F6CDD1DL;
        long xi = (long) Math.floor(x);
        long yi = (long) Math.floor(y);
        double fx = x - xi;
        double fy = y - yi;
        double sx = fx * fx * (3 - 2 * fx);
        double sy = fy * fy * (3 - 2 * fy);
        long x0 = Math.floorMod(xi, period);
        long y0 = Math.floorMod(yi, period);
        long x1 = (x0 + 1) % period;
        long y1 = (y0 + 1) % period;
        double a = hash(x0, y0, seed);
        double b = hash(x1, y0, seed);
        double c = hash(x0, y1, seed);
        double d = hash(x1, y1, seed);
        return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
    }

    private static double hash(long x, long y, long seed) {
        long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(1e-12, 1);
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
