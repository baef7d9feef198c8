package io.xraydrift.ingest.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Submission;
import io.xraydrift.testing.RealCxr;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading DICOM files: the real RSNA CR films of {@code ../shared/real-cxr/formats} (JPEG baseline,
 * MONOCHROME2, and a true MONOCHROME1 film stored uncompressed), the same film as JPEG lossless
 * (dcmtk's dcmcjpeg) and as 13-bit words with rescale and a VOI window, and the bad files a PACS
 * can send, each refused naming the tag, none repeating a header value.
 */
class DicomFilesTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final String MARKER = "MRN-MARKER-4711";

    @TempDir
    Path dir;

    private static byte[] real(String name) throws Exception {
        return Files.readAllBytes(RealCxr.formats().resolve(name));
    }

    @Test
    void aTrueMonochrome1FilmShowsTheSamePixelsAsTheMonochrome2One() throws Exception {
        Submission m2 = DicomFiles.read(real("rsna-cr-chest-pa-monochrome2.dcm"), "t", NOW);
        Submission m1 = DicomFiles.read(real("rsna-cr-chest-pa-monochrome1-inverted.dcm"), "t", NOW);
        assertEquals(ViewPosition.PA, m2.view());
        assertEquals("CR", m2.modality());
        assertEquals("16d7f894-55d7-4d95-8957-d18987f0e981", m2.rawPatientId());
        assertEquals(
                null,
                m2.acquiredAt(),
                "the de-identified 1901-01-01 date is no acquisition time: ingest's " + "undated policy decides");
        assertEquals("1.2.840.10008.5.1.4.1.1.7", m2.dicom().sopClassUid());
        assertEquals("MONOCHROME2", m1.photometric(), "rendered for display: already inverted");
        assertFalse(m1.sopInstanceUid().equals(m2.sopInstanceUid()));
        int[] a = pixels(m2.image());
        int[] b = pixels(m1.image());
        assertEquals(1024 * 1024, a.length);
        assertArrayEquals(a, b, "MONOCHROME1 stored as 255 - v displays as the MONOCHROME2 film");
    }

    @Test
    void jpegLosslessDecodesToTheSamePixelsAsUncompressed() throws Exception {
        Path plain = dir.resolve("plain.dcm");
        Files.write(plain, real("rsna-cr-chest-pa-monochrome1-inverted.dcm"));
        Path lossless = dir.resolve("lossless.dcm");
        run("dcmcjpeg", "--encode-lossless-sv1", plain.toString(), lossless.toString());
        byte[] file = Files.readAllBytes(lossless);
        assertEquals(
                "1.2.840.10008.1.2.4.70",
                header(file).get(TagFromName.TransferSyntaxUID).getSingleStringValueOrNull());
        assertArrayEquals(
                pixels(DicomFiles.read(Files.readAllBytes(plain), "t", NOW).image()),
                pixels(DicomFiles.read(file, "t", NOW).image()));
    }

    @Test
    void wordsAreRescaledAndWindowed() throws Exception {
        byte[] m2 = real("rsna-cr-chest-pa-monochrome2.dcm");
        int[] eight = pixels(DicomFiles.read(m2, "t", NOW).image());
        AttributeList l = header(m2);
        short[] words = new short[1024 * 1024];
        int[] stored = storedValues(m2);
        for (int i = 0; i < words.length; i++) {
            words[i] = (short) (stored[i] * 16 + 100);
        }
        l.remove(TagFromName.PixelData);
        put(l, TagFromName.BitsAllocated, "16");
        put(l, TagFromName.BitsStored, "13");
        put(l, TagFromName.HighBit, "12");
        Attribute px = new OtherWordAttribute(TagFromName.PixelData);
        px.setValues(words);
        l.put(px);
        assertArrayEquals(
                eight,
                pixels(DicomFiles.read(write(l, "1.2.840.10008.1.2.1"), "t", NOW)
                        .image()),
                "13-bit stored values without a window span their stored range, as the 8-bit film does");
        // Rescale to "HU-like" values and a window that clips: below the window is black, above white.
        put(l, TagFromName.RescaleSlope, "2");
        put(l, TagFromName.RescaleIntercept, "-1000");
        put(l, TagFromName.WindowCenter, "3000");
        put(l, TagFromName.WindowWidth, "2000");
        int[] w =
                pixels(DicomFiles.read(write(l, "1.2.840.10008.1.2"), "t", NOW).image());
        for (int i = 0; i < w.length; i += 997) {
            double m = (stored[i] * 16 + 100) * 2.0 - 1000;
            if (m < 1990) {
                assertEquals(0, w[i], "below the window at " + i);
            } else if (m > 4010) {
                assertEquals(255, w[i], "above the window at " + i);
            }
        }
    }

    @Test
    void badFilesAreRefusedNamingTheTagNeverAValue() throws Exception {
        byte[] plain = real("rsna-cr-chest-pa-monochrome1-inverted.dcm");
        AttributeList l = header(plain);
        put(l, TagFromName.PatientID, MARKER);
        put(l, TagFromName.PatientName, MARKER + "^NAME");

        Rejected truncated = refused(Arrays.copyOf(write(l, "1.2.840.10008.1.2.1"), plain.length / 2));
        assertEquals("PixelData", truncated.field());

        AttributeList ct = copy(l);
        put(ct, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        put(ct, TagFromName.MediaStorageSOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        Rejected wrongClass = refused(write(ct, "1.2.840.10008.1.2.1"));
        assertEquals("SOPClassUID", wrongClass.field());
        assertEquals(Rejected.Kind.UNSUPPORTED_TYPE, wrongClass.kind());
        assertTrue(wrongClass.getMessage().contains("1.2.840.10008.5.1.4.1.1.2"), wrongClass.getMessage());

        AttributeList noPixels = copy(l);
        noPixels.remove(TagFromName.PixelData);
        assertEquals(
                "PixelData", refused(write(noPixels, "1.2.840.10008.1.2.1")).field());

        AttributeList huge = copy(l);
        put(huge, TagFromName.Rows, "30000");
        put(huge, TagFromName.Columns, "30000");
        Rejected tooLarge = refused(write(huge, "1.2.840.10008.1.2.1"));
        assertEquals(Rejected.Kind.TOO_LARGE, tooLarge.kind());
        assertTrue(tooLarge.getMessage().contains("30000x30000"), tooLarge.getMessage());

        AttributeList rgb = copy(l);
        put(rgb, TagFromName.PhotometricInterpretation, MARKER);
        assertEquals(
                "PhotometricInterpretation",
                refused(write(rgb, "1.2.840.10008.1.2.1")).field());

        Rejected notDicom = refused(Files.readAllBytes(RealCxr.formats().resolve("nih-00000001_000.png")));
        assertEquals("file", notDicom.field());
        Rejected empty = refused(new byte[0]);
        assertEquals("file", empty.field());

        for (Rejected r : List.of(truncated, wrongClass, tooLarge, notDicom, empty)) {
            assertFalse(r.getMessage().contains(MARKER), "no header value in a reason: " + r.getMessage());
        }
    }

    private static Rejected refused(byte[] file) {
        return assertThrows(Rejected.class, () -> DicomFiles.read(file, "t", NOW));
    }

    private static AttributeList header(byte[] file) throws Exception {
        AttributeList l = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(file))) {
            l.read(in);
        }
        return l;
    }

    private static AttributeList copy(AttributeList l) throws Exception {
        return header(write(l, "1.2.840.10008.1.2.1"));
    }

    private static int[] storedValues(byte[] file) throws Exception {
        BufferedImage img = new SourceImage(header(file)).getBufferedImage(0);
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }

    private static void put(AttributeList l, AttributeTag tag, String value) throws Exception {
        Attribute a = AttributeFactory.newAttribute(tag);
        a.addValue(value);
        l.put(a);
    }

    private static byte[] write(AttributeList l, String transferSyntax) throws Exception {
        l.removeGroupLengthAttributes();
        l.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(l, transferSyntax, "XRAYDRIFT");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, transferSyntax, true, true);
        return out.toByteArray();
    }

    static int[] pixels(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }
}
