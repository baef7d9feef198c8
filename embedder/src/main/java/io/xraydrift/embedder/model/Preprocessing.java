package io.xraydrift.embedder.model;

import io.xraydrift.platform.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;

/**
 * Turns an image into the model's input: 8-bit grayscale, resized to the model's input size by
 * area averaging (exact and deterministic, unlike Java2D scaling), normalised as
 * {@code (v / 255 - mean) / std}, repeated over the model's channels. Models trained on
 * equalised inputs ({@link ModelCard#equalized()}) get the resized image histogram-equalised
 * first: every monotone difference of exposure, window and contrast between sites and devices
 * maps to the same input. The training command and the embedder both use this, so a model sees
 * the same pixels in both (training adds its augmentation between {@link #resized} and
 * {@link #finish}).
 */
public final class Preprocessing {

    /** Smallest image side the models accept. */
    public static final int MIN_SIDE = 32;

    private final int size;
    private final int channels;
    private final float mean;
    private final float std;
    private final boolean equalize;

    public Preprocessing(int size, int channels, float mean, float std) {
        this(size, channels, mean, std, false);
    }

    public Preprocessing(int size, int channels, float mean, float std, boolean equalize) {
        this.size = size;
        this.channels = channels;
        this.mean = mean;
        this.std = std;
        this.equalize = equalize;
    }

    public static Preprocessing of(ModelCard card) {
        return new Preprocessing(card.inputSize(), card.channels(), card.mean(), card.std(), card.equalized());
    }

    /**
     * Decodes PNG or JPEG bytes, refusing unread a header that declares more pixels than
     * {@link ImageLimits} allows; fails naming what is wrong with them.
     */
    public static BufferedImage decode(byte[] bytes) {
        return ImageLimits.decode(bytes, null);
    }

    /** 8-bit gray pixels of any image, row-major. */
    public static byte[] gray(BufferedImage img) {
        BufferedImage gray = img;
        if (img.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            gray = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            gray.getGraphics().drawImage(img, 0, 0, null);
        }
        return ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
    }

    /** The normalised CHW input of encoded image bytes (PNG or JPEG). */
    public float[] input(ByteBuffer encoded) {
        byte[] bytes = new byte[encoded.remaining()];
        encoded.duplicate().get(bytes);
        return input(decode(bytes));
    }

    /** The normalised CHW input of one image. */
    public float[] input(BufferedImage img) {
        return input(gray(img), img.getWidth(), img.getHeight());
    }

    /** The normalised CHW input of 8-bit gray pixels. */
    public float[] input(byte[] gray, int width, int height) {
        return finish(resized(gray, width, height));
    }

    /** The image resized to size x size, gray levels 0..255 as floats (the stage augmentation works on). */
    public float[] resized(BufferedImage img) {
        return resized(gray(img), img.getWidth(), img.getHeight());
    }

    /** The pixels resized to size x size, gray levels 0..255 as floats. */
    public float[] resized(byte[] gray, int width, int height) {
        if (width < MIN_SIDE || height < MIN_SIDE) {
            throw new IllegalArgumentException(
                    "image is " + width + "x" + height + " pixels, minimum is " + MIN_SIDE + "x" + MIN_SIDE);
        }
        return resize(gray, width, height);
    }

    /** The CHW input of a resized image: equalised when the model wants it, normalised, repeated over channels. */
    public float[] finish(float[] resized) {
        float[] levels = equalize ? equalized(resized) : resized;
        float[] out = new float[channels * size * size];
        for (int i = 0; i < levels.length; i++) {
            float v = (levels[i] / 255f - mean) / std;
            for (int c = 0; c < channels; c++) {
                out[c * size * size + i] = v;
            }
        }
        return out;
    }

    /**
     * Histogram equalisation over 256 bins: each pixel becomes the share of pixels at or below its
     * level (mid-rank, so ties land in the middle of their range), scaled to 0..255. Any monotone
     * change of gray levels before it gives the same output.
     */
    static float[] equalized(float[] levels) {
        int[] histogram = new int[256];
        int[] bin = new int[levels.length];
        for (int i = 0; i < levels.length; i++) {
            bin[i] = Math.max(0, Math.min(255, Math.round(levels[i])));
            histogram[bin[i]]++;
        }
        float[] mapped = new float[256];
        int below = 0;
        for (int b = 0; b < 256; b++) {
            mapped[b] = 255f * (below + histogram[b] / 2f) / levels.length;
            below += histogram[b];
        }
        float[] out = new float[levels.length];
        for (int i = 0; i < levels.length; i++) {
            out[i] = mapped[bin[i]];
        }
        return out;
    }

    /** Area-average resampling to size x size (each output pixel averages the source area it covers). */
    private float[] resize(byte[] gray, int width, int height) {
        float[] out = new float[size * size];
        double sx = (double) width / size;
        double sy = (double) height / size;
        for (int oy = 0; oy < size; oy++) {
            double y0 = oy * sy;
            double y1 = y0 + sy;
            for (int ox = 0; ox < size; ox++) {
                double x0 = ox * sx;
                double x1 = x0 + sx;
                double sum = 0;
                double area = 0;
                for (int y = (int) y0; y < Math.min(height, Math.ceil(y1)); y++) {
                    double wy = Math.min(y1, y + 1) - Math.max(y0, y);
                    int row = y * width;
                    for (int x = (int) x0; x < Math.min(width, Math.ceil(x1)); x++) {
                        double w = wy * (Math.min(x1, x + 1) - Math.max(x0, x));
                        sum += w * (gray[row + x] & 0xFF);
                        area += w;
                    }
                }
                out[oy * size + ox] = (float) (sum / area);
            }
        }
        return out;
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }
}
