package io.xraydrift.training;

import java.util.SplittableRandom;

/**
 * Training-time changes to a resized image (size x size, gray levels 0..255) that a scan of the
 * same lungs could show at another site: position, zoom and rotation on the detector; exposure
 * (gamma, contrast, brightness) and its unevenness across the film; sharpness; quantum noise; and
 * burnt-in text and markers in the corners. The label does not change under any of them, so a
 * model trained on them learns the lungs rather than the acquisition. Pure arithmetic; a seeded
 * {@link SplittableRandom} makes a run repeatable.
 *
 * @param strength 0 = the image unchanged, 1 = the ranges below
 */
public record Augmentation(double strength) {

    /** What {@code train} uses. */
    public static final Augmentation DEFAULT = new Augmentation(1.0);
    /** No change (validation, evaluation, the embedder). */
    public static final Augmentation NONE = new Augmentation(0.0);

    /** A changed copy of {@code image} (side {@code size}). */
    public float[] apply(float[] image, int size, SplittableRandom random) {
        if (strength <= 0) {
            return image;
        }
        float[] out = geometry(image, size, random);
        exposure(out, size, random);
        if (random.nextDouble() < 0.3 * strength) {
            out = blur(out, size);
        }
        if (random.nextDouble() < 0.5 * strength) {
            burnIn(out, size, random);
        }
        double sigma = random.nextDouble() * 6 * strength;
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp(out[i] + (float) (random.nextGaussian() * sigma));
        }
        return out;
    }

    /** Zoom 0.85-1.15, rotation up to 8 degrees, shift up to 6% of the side; bilinear, black outside the film. */
    private float[] geometry(float[] image, int size, SplittableRandom random) {
        double scale = 1 + (random.nextDouble() * 0.3 - 0.15) * strength;
        double angle = Math.toRadians((random.nextDouble() * 16 - 8) * strength);
        double tx = (random.nextDouble() * 0.12 - 0.06) * size * strength;
        double ty = (random.nextDouble() * 0.12 - 0.06) * size * strength;
        double cos = Math.cos(angle) / scale;
        double sin = Math.sin(angle) / scale;
        double c = (size - 1) / 2.0;
        float[] out = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x - c - tx;
                double dy = y - c - ty;
                double sx = cos * dx + sin * dy + c;
                double sy = -sin * dx + cos * dy + c;
                out[y * size + x] = bilinear(image, size, sx, sy);
            }
        }
        return out;
    }

    private static float bilinear(float[] image, int size, double x, double y) {
        if (x < 0 || y < 0 || x > size - 1 || y > size - 1) {
            return 0f;
        }
        int x0 = (int) x;
        int y0 = (int) y;
        int x1 = Math.min(size - 1, x0 + 1);
        int y1 = Math.min(size - 1, y0 + 1);
        double fx = x - x0;
        double fy = y - y0;
        double top = image[y0 * size + x0] * (1 - fx) + image[y0 * size + x1] * fx;
        double bottom = image[y1 * size + x0] * (1 - fx) + image[y1 * size + x1] * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /** Gamma 0.6-1.7, contrast 0.75-1.25, brightness +-20 levels, and a linear ramp of up to +-25 levels across the film. */
    private void exposure(float[] image, int size, SplittableRandom random) {
        double gamma = Math.exp((random.nextDouble() * 2 - 1) * Math.log(1.7) * strength);
        double contrast = 1 + (random.nextDouble() * 0.5 - 0.25) * strength;
        double brightness = (random.nextDouble() * 40 - 20) * strength;
        double ramp = (random.nextDouble() * 50 - 25) * strength;
        double direction = random.nextDouble() * 2 * Math.PI;
        double rx = Math.cos(direction) / size;
        double ry = Math.sin(direction) / size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                double v = 255 * Math.pow(image[i] / 255.0, gamma);
                v = (v - 128) * contrast + 128 + brightness + ramp * ((x - size / 2.0) * rx + (y - size / 2.0) * ry);
                image[i] = clamp((float) v);
            }
        }
    }

    /** 3 x 3 box blur (a softer detector or a resampled export). */
    private static float[] blur(float[] image, int size) {
        float[] out = new float[image.length];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float sum = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < size && xx >= 0 && xx < size) {
                            sum += image[yy * size + xx];
                            n++;
                        }
                    }
                }
                out[y * size + x] = sum / n;
            }
        }
        return out;
    }

    /** One to three bright text-like blocks (rows of glyph-sized bars) in the outer fifth of the film. */
    private void burnIn(float[] image, int size, SplittableRandom random) {
        int blocks = 1 + random.nextInt(3);
        for (int b = 0; b < blocks; b++) {
            int w = Math.max(3, (int) (size * (0.05 + random.nextDouble() * 0.15)));
            int h = Math.max(2, (int) (size * (0.02 + random.nextDouble() * 0.03)));
            boolean left = random.nextBoolean();
            boolean top = random.nextBoolean();
            int x0 = left ? random.nextInt(Math.max(1, size / 5)) : size - w - random.nextInt(Math.max(1, size / 5));
            int y0 = top ? random.nextInt(Math.max(1, size / 5)) : size - h - random.nextInt(Math.max(1, size / 5));
            float level = 200 + random.nextInt(56);
            int glyph = 2 + random.nextInt(3);
            for (int y = Math.max(0, y0); y < Math.min(size, y0 + h); y++) {
                for (int x = Math.max(0, x0); x < Math.min(size, x0 + w); x++) {
                    if ((x - x0) % glyph != glyph - 1) {
                        image[y * size + x] = level;
                    }
                }
            }
        }
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }
}
