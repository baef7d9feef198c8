package io.xraydrift.ingest.edge;

import io.xraydrift.platform.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decodes an uploaded radiograph (PNG or JPEG, 8- or 16-bit grayscale; colour is refused) and
 * normalises it: MONOCHROME1 inverted, 16-bit data windowed to 8 bits between its 0.5th and
 * 99.5th percentiles, longest side bounded (area averaging), re-encoded as 8-bit grayscale PNG.
 * Dimensions are read from the header before any pixel is decoded, so a decompression bomb is
 * refused for its declared size.
 */
public final class ImageNormaliser {

    /** Longest side of thumbnails. */
    public static final int THUMBNAIL_SIDE = 96;
    /** Largest side a header may declare. */
    public static final int MAX_DECLARED_SIDE = ImageLimits.MAX_DECLARED_SIDE;
    /** Most pixels a header may declare. */
    public static final long MAX_DECLARED_PIXELS = ImageLimits.MAX_DECLARED_PIXELS;

    /** ImageIO's PNG quality: deflate level = round(9 * (1 - quality)) → 1. */
    private static final float PNG_QUALITY = 0.89f;

    private final int maxSide;
    private final long maxBytes;

    public ImageNormaliser(int maxSide, long maxBytes) {
        this.maxSide = maxSide;
        this.maxBytes = maxBytes;
    }

    /**
     * @param bytes       the image file's bytes
     * @param monochrome1 true when the pixels are MONOCHROME1 (higher value = darker)
     */
    public NormalisedImage normalise(byte[] bytes, boolean monochrome1) throws Rejected {
        if (bytes == null || bytes.length == 0) {
            throw Rejected.invalid("image", "image is empty (0 bytes)");
        }
        if (bytes.length > maxBytes) {
            throw new Rejected(
                    Rejected.Kind.TOO_LARGE, "image", "image is " + bytes.length + " bytes, maximum is " + maxBytes);
        }
        String format = sniff(bytes);
        // The whole normalisation holds the image's declared pixels against the process-wide decode
        // budget (ImageLimits): large films wait for room instead of taking the heap together.
        try {
            return ImageLimits.withDecoded(bytes, format, decoded -> normalise(decoded, format, monochrome1));
        } catch (ImageLimits.TooLarge e) {
            throw new Rejected(Rejected.Kind.TOO_LARGE, "image", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Rejected.invalid(
                    "image",
                    "cannot decode the " + format.toUpperCase(Locale.ROOT) + " image (" + bytes.length + " bytes): "
                            + e.getMessage());
        }
    }

    private NormalisedImage normalise(BufferedImage decoded, String format, boolean monochrome1) throws Rejected {
        int[] gray = grayscale(decoded, format);
        int w = decoded.getWidth();
        int h = decoded.getHeight();
        if (monochrome1) {
            for (int i = 0; i < gray.length; i++) {
                gray[i] = 255 - gray[i];
            }
        }
        double scale = Math.min(1.0, maxSide / (double) Math.max(w, h));
        int nw = Math.max(1, (int) Math.round(w * scale));
        int nh = Math.max(1, (int) Math.round(h * scale));
        int[] out = scale < 1.0 ? areaResize(gray, w, h, nw, nh) : gray;
        double sum = 0;
        double sq = 0;
        for (int v : out) {
            sum += v;
            sq += (double) v * v;
        }
        double mean = sum / out.length;
        double std = Math.sqrt(Math.max(0, sq / out.length - mean * mean));
        double ts = Math.min(1.0, THUMBNAIL_SIDE / (double) Math.max(nw, nh));
        int tw = Math.max(1, (int) Math.round(nw * ts));
        int th = Math.max(1, (int) Math.round(nh * ts));
        int[] thumb = areaResize(out, nw, nh, tw, th);
        return new NormalisedImage(png(out, nw, nh), nw, nh, png(thumb, tw, th), tw, th, sha256(out), mean, std, w, h);
    }

    /** PNG or JPEG by magic bytes; anything else is refused with its first bytes. */
    static String sniff(byte[] b) throws Rejected {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "jpeg";
        }
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            throw new Rejected(
                    Rejected.Kind.UNSUPPORTED_TYPE,
                    "image",
                    "image is a DICOM file: send it to the PACS "
                            + "(ingest pulls it over DICOMweb) or upload the rendered PNG/JPEG");
        }
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            head.append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        throw new Rejected(
                Rejected.Kind.UNSUPPORTED_TYPE,
                "image",
                "image starts with bytes " + head + ", which is neither PNG nor JPEG");
    }

    /** 8-bit gray values; 16-bit samples windowed between their 0.5th and 99.5th percentiles. */
    private static int[] grayscale(BufferedImage img, String format) throws Rejected {
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        int bands = r.getNumBands();
        int bits = img.getColorModel().getComponentSize(0);
        int[] out = new int[w * h];
        if (bands >= 3) {
            long chroma = 0;
            int[] px = new int[bands];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    r.getPixel(x, y, px);
                    chroma += Math.max(Math.abs(px[0] - px[1]), Math.abs(px[1] - px[2]));
                    out[y * w + x] = (px[0] * 299 + px[1] * 587 + px[2] * 114) / 1000;
                }
            }
            double meanChroma = chroma / (double) (w * h);
            if (meanChroma > 6) {
                throw Rejected.invalid(
                        "image",
                        String.format(
                                Locale.ROOT,
                                "image is in colour (mean channel " + "difference %.1f): a radiograph is grayscale",
                                meanChroma));
            }
            return out;
        }
        if (bits <= 8) {
            r.getSamples(0, 0, w, h, 0, out);
            return out;
        }
        int[] raw = r.getSamples(0, 0, w, h, 0, (int[]) null);
        int max = (1 << bits) - 1;
        int[] hist = new int[max + 1];
        for (int v : raw) {
            hist[Math.min(max, Math.max(0, v))]++;
        }
        int lo = percentile(hist, raw.length * 0.005);
        int hi = percentile(hist, raw.length * 0.995);
        double range = Math.max(1, hi - lo);
        for (int i = 0; i < raw.length; i++) {
            out[i] = (int) Math.round(Math.min(255, Math.max(0, (raw[i] - lo) * 255.0 / range)));
        }
        return out;
    }

    private static int percentile(int[] hist, double rank) {
        long seen = 0;
        for (int v = 0; v < hist.length; v++) {
            seen += hist[v];
            if (seen > rank) {
                return v;
            }
        }
        return hist.length - 1;
    }

    /** Area-average resize (each output pixel the mean of the input pixels it covers). */
    static int[] areaResize(int[] src, int w, int h, int nw, int nh) {
        int[] out = new int[nw * nh];
        double sx = w / (double) nw;
        double sy = h / (double) nh;
        for (int y = 0; y < nh; y++) {
            int y0 = (int) Math.floor(y * sy);
            int y1 = Math.max(y0 + 1, (int) Math.min(h, Math.ceil((y + 1) * sy)));
            for (int x = 0; x < nw; x++) {
                int x0 = (int) Math.floor(x * sx);
                int x1 = Math.max(x0 + 1, (int) Math.min(w, Math.ceil((x + 1) * sx)));
                long sum = 0;
                for (int yy = y0; yy < y1; yy++) {
                    int row = yy * w;
                    for (int xx = x0; xx < x1; xx++) {
                        sum += src[row + xx];
                    }
                }
                out[y * nw + x] = (int) (sum / ((long) (y1 - y0) * (x1 - x0)));
            }
        }
        return out;
    }

    private static byte[] png(int[] gray, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        r.setSamples(0, 0, w, h, 0, gray);
        ByteArrayOutputStream out = new ByteArrayOutputStream(w * h / 2 + 1024);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        // In memory, never ImageIO's file cache: its cache streams are closed by ImageIO's own shutdown
        // hook, so a scan encoded while the service stops (SIGTERM) failed and was dead-lettered.
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            // Deflate level 1: files ~10% larger than the default level, encoded several times faster —
            // encoding was most of ingest's time per scan.
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(PNG_QUALITY);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] sha256(int[] gray) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] row = new byte[gray.length];
            for (int i = 0; i < gray.length; i++) {
                row[i] = (byte) gray[i];
            }
            return md.digest(row);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
