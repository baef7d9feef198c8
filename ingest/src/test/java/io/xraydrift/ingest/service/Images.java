package io.xraydrift.ingest.service;

import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Images for ingest's tests: real phantoms, and the malformed inputs of the bad-input corpus. */
final class Images {

    private static final PhantomRenderer RENDERER = new PhantomRenderer(512);
    private static final List<PhantomSet.Item> ITEMS = PhantomSet.labelled(20, 5, 5, 98765, 0.0);

    private Images() {}

    /** Phantom number i as PNG (distinct pixels per i). */
    static byte[] phantom(int i) {
        return PhantomSet.render(RENDERER, ITEMS.get(i % ITEMS.size())).toPng();
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage gray(int w, int h, int type, IntBinaryOperator value) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return img;
    }

    /** A 16-bit grayscale PNG of a phantom (values spread over 0..4095, as a 12-bit detector writes them). */
    static byte[] phantom16(int i) {
        BufferedImage src =
                PhantomSet.render(RENDERER, ITEMS.get(i % ITEMS.size())).toImage();
        return encode(
                gray(
                        src.getWidth(),
                        src.getHeight(),
                        BufferedImage.TYPE_USHORT_GRAY,
                        (x, y) -> src.getRaster().getSample(x, y, 0) * 16 + 7),
                "png");
    }

    /** The phantom inverted, as MONOCHROME1 stores it. */
    static byte[] phantomInverted(int i) {
        BufferedImage src =
                PhantomSet.render(RENDERER, ITEMS.get(i % ITEMS.size())).toImage();
        return encode(
                gray(
                        src.getWidth(),
                        src.getHeight(),
                        BufferedImage.TYPE_BYTE_GRAY,
                        (x, y) -> 255 - src.getRaster().getSample(x, y, 0)),
                "png");
    }

    static byte[] phantomJpeg(int i) {
        return encode(PhantomSet.render(RENDERER, ITEMS.get(i % ITEMS.size())).toImage(), "jpeg");
    }

    /**
     * A decompression bomb: a valid PNG header declaring {@code side}×{@code side} 8-bit gray pixels,
     * with a tiny zlib stream of zeros (never inflated by ingest: it refuses the declared size).
     */
    static byte[] pngBomb(int side) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, side);
        putInt(ihdr, 4, side);
        ihdr[8] = 8;
        ihdr[9] = 0;
        chunk(out, "IHDR", ihdr);
        Deflater d = new Deflater(9);
        d.setInput(new byte[(side + 1) * 64]);
        d.finish();
        byte[] buf = new byte[4096];
        int n = d.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
