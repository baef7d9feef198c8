package io.xraydrift.ingest.dicom;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.imageio.ImageIO;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;

import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.edge.DicomDates;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Shape;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.ingest.service.DicomSupport;
import io.xraydrift.platform.image.ImageLimits;

/**
 * Reads one DICOM file into a {@link Submission} with PixelMed: the header first (stopping before
 * the pixels, so a file that declares 30000² pixels is refused unread), then the first frame,
 * decoded for the transfer syntaxes chest films arrive in (uncompressed, JPEG baseline/extended,
 * JPEG lossless), rescaled, windowed (the file's first VOI window, else its stored range) and
 * inverted when MONOCHROME1, into an 8-bit display PNG. Refusals name the tag and say why; no
 * header value of the patient's is repeated (UIDs of standard SOP classes and transfer syntaxes are
 * not the patient's and are named).
 */
final class DicomFiles {

    /** Storage SOP classes a chest film comes as. */
    static final Map<String, String> SOP_CLASSES = Map.of(
            "1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage",
            "1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation",
            "1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing",
            "1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage",
            "1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage",
            "1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage");

    /** Transfer syntaxes whose pixels are decoded. */
    static final Map<String, String> TRANSFER_SYNTAXES = Map.of(
            "1.2.840.10008.1.2", "Implicit VR Little Endian",
            "1.2.840.10008.1.2.1", "Explicit VR Little Endian",
            "1.2.840.10008.1.2.2", "Explicit VR Big Endian",
            "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian",
            "1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)",
            "1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)",
            "1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)",
            "1.2.840.10008.1.2.4.70", "JPEG Lossless SV1 (Process 14, selection value 1)");

    private static final Set<String> UNCOMPRESSED = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1",
            "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99");

    static {
        JpegLosslessCodec.register();
    }

    private DicomFiles() {
    }

    static Submission read(byte[] file, String source, Instant now) throws Rejected {
        AttributeList header = header(file);
        String sopClass = text(header, TagFromName.SOPClassUID);
        if (sopClass == null) {
            throw Rejected.invalid("SOPClassUID", "SOPClassUID (0008,0016) is missing: not a composite DICOM instance");
        }
        if (!SOP_CLASSES.containsKey(sopClass)) {
            throw new Rejected(Rejected.Kind.UNSUPPORTED_TYPE, "SOPClassUID", "SOPClassUID (0008,0016) "
                    + uid(sopClass) + " is not a radiograph's; taken: " + SOP_CLASSES.values());
        }
        String ts = transferSyntax(header);
        if (!TRANSFER_SYNTAXES.containsKey(ts)) {
            throw new Rejected(Rejected.Kind.UNSUPPORTED_TYPE, "TransferSyntaxUID", "TransferSyntaxUID (0002,0010) "
                    + uid(ts) + " is not decoded here; taken: " + TRANSFER_SYNTAXES.values()
                    + " (ask the PACS to send one of these)");
        }
        int rows = integer(header, TagFromName.Rows, "Rows", "(0028,0010)");
        int columns = integer(header, TagFromName.Columns, "Columns", "(0028,0011)");
        if (rows > ImageLimits.MAX_DECLARED_SIDE || columns > ImageLimits.MAX_DECLARED_SIDE
                || (long) rows * columns > ImageLimits.MAX_DECLARED_PIXELS) {
            throw new Rejected(Rejected.Kind.TOO_LARGE, "Rows", "the file declares " + columns + "x" + rows
                    + " pixels; at most " + ImageLimits.MAX_DECLARED_SIDE + " per side and "
                    + ImageLimits.MAX_DECLARED_PIXELS + " pixels are decoded (refused unread)");
        }
        int samples = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.SamplesPerPixel, 1);
        String photometric = text(header, TagFromName.PhotometricInterpretation);
        if (samples != 1 || photometric == null
                || !(photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2"))) {
            throw Rejected.invalid("PhotometricInterpretation", "PhotometricInterpretation (0028,0004) is "
                    + (photometric == null ? "missing" : Shape.of(photometric) + " (not repeated)") + " with "
                    + samples + " sample(s) per pixel: a radiograph is MONOCHROME1 or MONOCHROME2, one sample");
        }
        int bitsAllocated = integer(header, TagFromName.BitsAllocated, "BitsAllocated", "(0028,0100)");
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw Rejected.invalid("BitsAllocated", "BitsAllocated (0028,0100) is " + bitsAllocated + "; 8 or 16 taken");
        }
        AttributeList all = whole(file, UNCOMPRESSED.contains(ts) ? (long) rows * columns * (bitsAllocated / 8) : -1);
        byte[] png = render(all, rows, columns, ts);
        return new Submission(text(all, TagFromName.PatientID), acquired(all, now), source,
                view(text(all, TagFromName.ViewPosition)), text(all, TagFromName.Modality),
                text(all, TagFromName.SOPInstanceUID), png, "MONOCHROME2", null, null, Map.of(),
                new Submission.DicomRefs(text(all, TagFromName.AccessionNumber), text(all, TagFromName.StudyInstanceUID),
                        text(all, TagFromName.SeriesInstanceUID), text(all, TagFromName.SOPClassUID)));
    }

    /**
     * The SOP class and instance UIDs of a file's header (the file meta's where the data set lacks
     * them), read without the pixels; empty when the header does not parse.
     */
    static Optional<DicomSupport.SopRef> identify(byte[] file) {
        AttributeList h;
        try {
            h = header(file);
        } catch (Rejected e) {
            return Optional.empty();
        }
        String sopClass = text(h, TagFromName.SOPClassUID);
        String instance = text(h, TagFromName.SOPInstanceUID);
        return DicomSupport.SopRef.of(sopClass != null ? sopClass : text(h, TagFromName.MediaStorageSOPClassUID),
                instance != null ? instance : text(h, TagFromName.MediaStorageSOPInstanceUID));
    }

    /** The header up to (not including) the pixel data. */
    private static AttributeList header(byte[] file) throws Rejected {
        AttributeList l = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(file))) {
            l.read(in, TagFromName.PixelData);
        } catch (IOException | DicomException | RuntimeException e) {
            throw Rejected.invalid("file", "the file's DICOM header does not parse (" + file.length + " bytes; "
                    + e.getClass().getSimpleName() + "; the parser's message is not repeated, as it may quote the header)");
        }
        if (l.isEmpty()) {
            throw Rejected.invalid("file", "the file holds no DICOM attributes (" + file.length + " bytes)");
        }
        return l;
    }

    /** The whole file; {@code expectedPixelBytes} (uncompressed only, else -1) checks the pixel data is all there. */
    private static AttributeList whole(byte[] file, long expectedPixelBytes) throws Rejected {
        AttributeList l = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(file))) {
            l.read(in);
        } catch (IOException | DicomException | RuntimeException e) {
            throw Rejected.invalid("PixelData", "the file ends or breaks inside its pixel data (" + file.length
                    + " bytes; " + e.getClass().getSimpleName() + "): truncated or damaged");
        }
        Attribute pixels = l.get(TagFromName.PixelData);
        if (pixels == null) {
            throw Rejected.invalid("PixelData", "PixelData (7FE0,0010) is missing: the file holds no "
                    + "image, or it is truncated before its pixels (" + file.length + " bytes)");
        }
        if (expectedPixelBytes >= 0 && pixels.getVL() < expectedPixelBytes) {
            throw Rejected.invalid("PixelData", "PixelData (7FE0,0010) holds " + pixels.getVL() + " bytes, the header "
                    + "declares " + expectedPixelBytes + ": truncated");
        }
        return l;
    }

    private static byte[] render(AttributeList l, int rows, int columns, String ts) throws Rejected {
        Raster r;
        boolean inverted;
        boolean signed;
        try {
            SourceImage si = new SourceImage(l);
            if (si.getNumberOfBufferedImages() < 1) {
                throw Rejected.invalid("PixelData", "PixelData (7FE0,0010) holds no frame");
            }
            BufferedImage frame = si.getBufferedImage(0);
            r = frame.getRaster();
            inverted = si.isInverted();
            signed = si.isSigned();
        } catch (DicomException | RuntimeException e) {
            throw Rejected.invalid("PixelData", "PixelData (7FE0,0010) does not decode as "
                    + TRANSFER_SYNTAXES.get(ts) + " (" + e.getClass().getSimpleName() + "): damaged or mislabelled");
        }
        if (r.getWidth() != columns || r.getHeight() != rows) {
            throw Rejected.invalid("PixelData", "the decoded frame is " + r.getWidth() + "x" + r.getHeight()
                    + ", the header declares " + columns + "x" + rows);
        }
        int n = rows * columns;
        double slope = decimal(l, TagFromName.RescaleSlope, 1);
        double intercept = decimal(l, TagFromName.RescaleIntercept, 0);
        int bitsStored = Attribute.getSingleIntegerValueOrDefault(l, TagFromName.BitsStored, 16);
        double[] v = new double[n];
        int[] row = new int[columns];
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int y = 0; y < rows; y++) {
            r.getSamples(0, y, columns, 1, 0, row);
            for (int x = 0; x < columns; x++) {
                int stored = row[x];
                if (signed && bitsStored < 32) {
                    stored = (stored << (32 - bitsStored)) >> (32 - bitsStored); // sign-extend
                }
                double m = stored * slope + intercept;
                v[y * columns + x] = m;
                min = Math.min(min, m);
                max = Math.max(max, m);
            }
        }
        double[] window = window(l, min, max);
        double lo = window[0] - 0.5 - (window[1] - 1) / 2;
        double width = Math.max(window[1] - 1, 1e-9);
        BufferedImage out = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < n; i++) {
            double g = Math.max(0, Math.min(1, (v[i] - lo) / width));
            // MONOCHROME1: low values are white. Inverting before rounding keeps a true MONOCHROME1
            // film (stored 255 - v) and its MONOCHROME2 twin equal pixel for pixel.
            dst[i] = (byte) Math.round(255 * (inverted ? 1 - g : g));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream(n / 2);
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding of a decoded frame failed", e);
        }
        return png.toByteArray();
    }

    /** {center, width}: the file's first VOI window, else one spanning the stored range. */
    private static double[] window(AttributeList l, double min, double max) {
        double center = decimal(l, TagFromName.WindowCenter, Double.NaN);
        double width = decimal(l, TagFromName.WindowWidth, Double.NaN);
        if (Double.isFinite(center) && Double.isFinite(width) && width >= 1) {
            return new double[] {center, width};
        }
        return new double[] {(min + max + 1) / 2, max - min + 1};
    }

    /** AcquisitionDate/Time, else ContentDate/Time, else StudyDate/Time; {@code now} when none is plausible. */
    private static Instant acquired(AttributeList l, Instant now) throws Rejected {
        Instant at = DicomDates.acquired(
                text(l, TagFromName.AcquisitionDate), text(l, TagFromName.AcquisitionTime),
                text(l, TagFromName.ContentDate), text(l, TagFromName.ContentTime),
                text(l, TagFromName.StudyDate), text(l, TagFromName.StudyTime));
        return DicomDates.plausible(at, now);
    }

    private static String transferSyntax(AttributeList l) {
        String ts = text(l, TagFromName.TransferSyntaxUID);
        return ts == null ? "1.2.840.10008.1.2" : ts; // a bare data set without a meta header: implicit VR LE
    }

    private static int integer(AttributeList l, AttributeTag tag, String name, String number)
            throws Rejected {
        int v = Attribute.getSingleIntegerValueOrDefault(l, tag, -1);
        if (v <= 0) {
            throw Rejected.invalid(name, name + " " + number + " is missing or not a positive number");
        }
        return v;
    }

    private static double decimal(AttributeList l, AttributeTag tag, double fallback) {
        try {
            String s = text(l, tag);
            return s == null ? fallback : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String text(AttributeList l, AttributeTag tag) {
        String s = Attribute.getSingleStringValueOrNull(l, tag);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A UID is named when it has a UID's shape (digits and dots), else only its shape. */
    private static String uid(String uid) {
        return uid.matches("[0-9.]{1,64}") ? uid : Shape.of(uid) + " (not repeated)";
    }

    static ViewPosition view(String raw) {
        if (raw == null) {
            return ViewPosition.UNKNOWN;
        }
        return switch (raw.trim().toUpperCase(Locale.ROOT)) {
            case "PA" -> ViewPosition.PA;
            case "AP" -> ViewPosition.AP;
            case "LL", "RL", "LAT", "LATERAL" -> ViewPosition.LATERAL;
            default -> ViewPosition.UNKNOWN;
        };
    }
}
