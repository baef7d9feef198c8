package io.xraydrift.ingest.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.Level;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.phantoms.PhantomRenderer;
import io.xraydrift.phantoms.PhantomSet;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The edge as pure code: pseudonyms, scan ids, normalisation and the gate. */
class IngestorTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final BufferedImage PHANTOM = PhantomSet.render(
                    new PhantomRenderer(512),
                    PhantomSet.labelled(1, 0, 0, 4242, 0).get(0))
            .toImage();
    private final Pseudonyms keyA = new Pseudonyms("key-a-0123456789abcdef0123456789abcdef");
    private final Ingestor ingestor = new Ingestor(keyA, new ImageNormaliser(1024, 1 << 24), Set.of("ward"), 1 << 23);

    @Test
    void pseudonymsAreKeyedStableAndNeverTheId() {
        Pseudonyms keyB = new Pseudonyms("key-b-0123456789abcdef0123456789abcdef");
        assertEquals(keyA.patient("MRN-1"), keyA.patient(" MRN-1 "));
        assertNotEquals(keyA.patient("MRN-1"), keyB.patient("MRN-1"));
        assertNotEquals(keyA.patient("MRN-1"), keyA.patient("MRN-2"));
        assertEquals(64, keyA.patient("MRN-1").length());
        assertFalse(keyA.patient("MRN-1").contains("MRN"));
        assertEquals(keyA.scanFromSop("1.2.3"), keyA.scanFromSop("1.2.3"));
        assertNotEquals(keyA.scanFromSop("1.2.3"), keyB.scanFromSop("1.2.3"));
    }

    @Test
    void theSameScanGetsTheSameIdAndAnotherTimeAnother() throws Exception {
        byte[] png = encode(PHANTOM, "png");
        String a = ingestor.ingest(submission(png, NOW.minusSeconds(60)), NOW)
                .scan()
                .getScanId();
        String b = ingestor.ingest(submission(png, NOW.minusSeconds(60)), NOW)
                .scan()
                .getScanId();
        String c = ingestor.ingest(submission(png, NOW.minusSeconds(120)), NOW)
                .scan()
                .getScanId();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.startsWith("img-"));
    }

    @Test
    void sixteenBitAndMonochrome1AreNormalisedToTheSameRadiograph() throws Exception {
        ImageNormaliser n = new ImageNormaliser(1024, 1 << 24);
        int[] eight = pixels(n.normalise(encode(PHANTOM, "png"), false).png());
        int[] inverted =
                pixels(n.normalise(encode(map(PHANTOM, BufferedImage.TYPE_BYTE_GRAY, v -> 255 - v), "png"), true)
                        .png());
        assertArrayEquals(eight, inverted);
        int[] sixteen =
                pixels(n.normalise(encode(map(PHANTOM, BufferedImage.TYPE_USHORT_GRAY, v -> v * 16 + 7), "png"), false)
                        .png());
        // Windowing stretches the 0.5–99.5th percentiles to 0–255: a linear map of the original, clipped at the ends.
        assertTrue(
                correlation(eight, sixteen) > 0.99,
                "16-bit windowed is a linear stretch of the 8-bit original: r = " + correlation(eight, sixteen));
    }

    private static double correlation(int[] a, int[] b) {
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    void largeImagesAreBoundedAndThumbnailed() throws Exception {
        BufferedImage big = new BufferedImage(2048, 1800, BufferedImage.TYPE_BYTE_GRAY);
        big.getGraphics().drawImage(PHANTOM, 0, 0, 2048, 1800, null);
        NormalisedImage out = new ImageNormaliser(1024, 1 << 24).normalise(encode(big, "png"), false);
        assertEquals(1024, out.width());
        assertEquals(900, out.height());
        assertEquals(96, out.thumbWidth());
        assertEquals(2048, out.originalWidth());
    }

    @Test
    void theGateAndTheMetadataChecksNameTheFieldNeverItsValue() {
        byte[] png = encode(PHANTOM, "png");
        Rejected lateral = assertThrows(
                Rejected.class,
                () -> ingestor.ingest(
                        new Submission("MRN-9", NOW, "t", ViewPosition.LATERAL, "CR", null, png, null, null, Map.of()),
                        NOW));
        assertEquals("view", lateral.field());
        Rejected future =
                assertThrows(Rejected.class, () -> ingestor.ingest(submission(png, NOW.plusSeconds(3600)), NOW));
        assertEquals("acquiredAt", future.field());
        assertTrue(
                future.getMessage().contains("in the future")
                        && !future.getMessage().contains("13:00"),
                future.getMessage());
        Rejected id = assertThrows(
                Rejected.class,
                () -> ingestor.ingest(
                        new Submission(
                                "X".repeat(70), NOW, "t", ViewPosition.PA, "CR", null, png, null, null, Map.of()),
                        NOW));
        assertFalse(id.getMessage().contains("XXXX"), "the raw id is never in a reason");
        assertEquals(
                Rejected.Kind.UNSUPPORTED_TYPE,
                assertThrows(
                                Rejected.class,
                                () -> ImageNormaliser.sniff(new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0}))
                        .kind());
    }

    @Test
    void aReferenceScanCarriesItsRadiologistSeverityWithinZeroToOne() throws Exception {
        byte[] png = encode(PHANTOM, "png");
        Submission rated = new Submission(
                "MRN-5",
                NOW.minusSeconds(5),
                "t",
                ViewPosition.PA,
                "CR",
                null,
                png,
                null,
                Level.SEVERE,
                0.72,
                Map.of());
        assertEquals(0.72, ingestor.ingest(rated, NOW).scan().getReferenceSeverity(), 0.0);
        Rejected outside = assertThrows(
                Rejected.class,
                () -> ingestor.ingest(
                        new Submission(
                                "MRN-5", NOW, "t", ViewPosition.PA, "CR", null, png, null, Level.SEVERE, 1.5, Map.of()),
                        NOW));
        assertEquals("referenceSeverity", outside.field());
        assertTrue(
                outside.getMessage().contains("outside [0, 1]")
                        && !outside.getMessage().contains("1.5"),
                outside.getMessage());
        Rejected unlabelled = assertThrows(
                Rejected.class,
                () -> ingestor.ingest(
                        new Submission("MRN-5", NOW, "t", ViewPosition.PA, "CR", null, png, null, null, 0.3, Map.of()),
                        NOW));
        assertTrue(unlabelled.getMessage().contains("without a referenceLabel"), unlabelled.getMessage());
    }

    @Test
    void onlyAllowListedAttributesSurvive() throws Exception {
        Submission s = new Submission(
                "MRN-3",
                NOW.minusSeconds(5),
                "t",
                ViewPosition.PA,
                "CR",
                null,
                encode(PHANTOM, "png"),
                null,
                null,
                Map.of("ward", "7", "comment", "Mr Smith, coughing"));
        assertEquals(Map.of("ward", "7"), ingestor.ingest(s, NOW).scan().getAttributes());
    }

    @Test
    void aDicomFilmWithoutAPlausibleDateGetsItsReceiptTimeMarkedOrIsRefusedAsConfigured() throws Exception {
        Submission undated = new Submission(
                "MRN-6",
                null,
                "dicom:c-store",
                ViewPosition.PA,
                "CR",
                "1.2.3.4",
                encode(PHANTOM, "png"),
                null,
                null,
                null,
                Map.of(),
                new Submission.DicomRefs(null, null, null, null));
        var scan = ingestor.ingest(undated, NOW).scan();
        assertEquals(NOW, scan.getAcquiredAt());
        assertTrue(scan.getAcquiredAtFromReceipt(), "marked on the event");
        assertFalse(ingestor.ingest(submission(encode(PHANTOM, "png"), NOW.minusSeconds(5)), NOW)
                .scan()
                .getAcquiredAtFromReceipt());
        Ingestor refusing = new Ingestor(
                new Pseudonyms("k".repeat(40)),
                new ImageNormaliser(1024, 32 << 20),
                Set.of(),
                8 << 20,
                null,
                Ingestor.Undated.REFUSE);
        Rejected refused = assertThrows(Rejected.class, () -> refusing.ingest(undated, NOW));
        assertEquals("AcquisitionDateTime", refused.field());
        Rejected upload =
                assertThrows(Rejected.class, () -> ingestor.ingest(submission(encode(PHANTOM, "png"), null), NOW));
        assertTrue(
                upload.getMessage().contains("acquiredAt is missing"),
                "an upload must say when: " + upload.getMessage());
    }

    private static Submission submission(byte[] image, Instant acquired) {
        return new Submission("MRN-1", acquired, "test", ViewPosition.PA, "CR", null, image, null, null, Map.of());
    }

    private static BufferedImage map(BufferedImage src, int type, IntUnaryOperator f) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                out.getRaster().setSample(x, y, 0, f.applyAsInt(src.getRaster().getSample(x, y, 0)));
            }
        }
        return out;
    }

    private static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, format, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] pixels(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }
}
