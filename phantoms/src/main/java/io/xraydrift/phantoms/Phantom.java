package io.xraydrift.phantoms;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** An 8-bit grayscale radiograph, row-major, 0 = black. */
public record Phantom(int width, int height, byte[] pixels) {

    public Phantom {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException(
                    "pixels has " + pixels.length + " bytes, " + width + "x" + height + " needs " + width * height);
        }
    }

    /** Gray value of a pixel, 0..255. */
    public int gray(int x, int y) {
        return pixels[y * width + x] & 0xFF;
    }

    /** As a TYPE_BYTE_GRAY image. */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, pixels);
        return img;
    }

    /** PNG bytes (8-bit grayscale). */
    public byte[] toPng() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height / 2);
        // In memory, not ImageIO's file cache (whose streams its shutdown hook closes mid-write).
        try (MemoryCacheImageOutputStream png = new MemoryCacheImageOutputStream(out)) {
            ImageIO.write(toImage(), "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        }
        return out.toByteArray();
    }
}
