package io.xraydrift.ingest.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.DeadLetter;
import io.xraydrift.events.ScanReceived;
import io.xraydrift.events.ViewPosition;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Pseudonyms;
import io.xraydrift.platform.KafkaBootstrap;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.schemas.Topics;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.LocalOrthanc;
import io.xraydrift.testing.LocalStackExtension;
import io.xraydrift.testing.LogCapture;
import io.xraydrift.testing.RealCxr;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The DICOMweb way in against a real Orthanc, loaded with phantoms by img2dcm + storescu. */
@ExtendWith(LocalStackExtension.class)
class DicomWebIT {

    @TempDir
    Path dir;

    @Test
    void pullsNewCrInstancesMapsTheirAttributesAndKeepsItsWatermarkAcrossRestarts(LocalStack stack) throws Exception {
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        String raw = IngestIT.rawId("pacs");
        String pseudonym = new Pseudonyms(IngestIT.KEY).patient(raw);
        try (LocalOrthanc pacs = LocalOrthanc.start(dir.resolve("orthanc"))) {
            pacs.store(bmp(11, false), attrs(raw, "PA", "091500"), false);
            pacs.store(bmp(11, true), attrs(raw, "AP", "101500"), true);
            pacs.store(bmp(12, false), attrs(raw, "LL", "111500"), false);
            Map<String, String> env = pollerEnv(stack, pacs, "it-orthanc", "ingest-state", "dicomweb-it");
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env)))) {
                ingest.start();
                List<ScanReceived> scans =
                        IngestIT.await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 2);
                assertEquals(2, scans.size(), scans.toString());
                ScanReceived pa = scans.stream()
                        .filter(s -> s.getView() == ViewPosition.PA)
                        .findFirst()
                        .orElseThrow();
                ScanReceived ap = scans.stream()
                        .filter(s -> s.getView() == ViewPosition.AP)
                        .findFirst()
                        .orElseThrow();
                assertEquals("dicomweb:it-orthanc", pa.getSource());
                assertEquals(Instant.parse("2026-11-20T09:15:00Z"), pa.getAcquiredAt());
                assertTrue(pa.getScanId().startsWith("sop-"), pa.getScanId());
                assertArrayEquals(pixels(pa), pixels(ap), "MONOCHROME1 shows as the same radiograph");
                List<DeadLetter> dead = IngestIT.await(
                        stack,
                        Topics.DEAD_LETTER,
                        d -> d.getRequestId() != null && d.getRequestId().startsWith("dicomweb:it-orthanc"),
                        1);
                assertEquals(1, dead.size());
                assertTrue(
                        dead.get(0).getReason().contains("view LATERAL"),
                        dead.get(0).getReason());
            }
            assertTrue(Files.exists(dir.resolve("ingest-state").resolve("dicomweb-it-orthanc.watermark.json")));
            pacs.store(bmp(13, false), attrs(raw, "PA", "121500"), false);
            try (IngestService again = new IngestService(IngestConfig.from(Settings.of(env)))) {
                again.start();
                List<ScanReceived> scans =
                        IngestIT.await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 3);
                assertEquals(3, scans.size(), "after a restart only the new instance is pulled: " + scans.size());
            }
        }
    }

    /**
     * The real RSNA CR files from {@code ../shared/real-cxr/formats}, JPEG-coded and de-identified with
     * a 1901-01-01 study date: both are pulled and nothing is dead-lettered. The two files differ in
     * one byte only — the PhotometricInterpretation tag; the stored pixel values are the same — so a
     * reader that honours the tag shows the MONOCHROME1 file as the exact negative of the MONOCHROME2
     * one, pixel for pixel, and that is what must arrive.
     */
    @Test
    void pullsBothRealRsnaFilesAndHonoursTheirPhotometricInterpretation(LocalStack stack) throws Exception {
        Path formats = RealCxr.formats();
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        try (LocalOrthanc pacs = LocalOrthanc.start(dir.resolve("orthanc-rsna"))) {
            pacs.storeFile(formats.resolve("rsna-cr-chest-pa-monochrome2.dcm"), false);
            pacs.storeFile(formats.resolve("rsna-cr-chest-pa-monochrome1.dcm"), true);
            Map<String, String> env = pollerEnv(stack, pacs, "rsna-orthanc", "rsna-state", "dicomweb-rsna-it");
            String pseudonym = new Pseudonyms(IngestIT.KEY).patient("16d7f894-55d7-4d95-8957-d18987f0e981");
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env)))) {
                ingest.start();
                List<ScanReceived> scans =
                        IngestIT.await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 2);
                assertEquals(2, scans.size(), scans.toString());
                scans.forEach(s -> assertEquals("dicomweb:rsna-orthanc", s.getSource()));
                scans.forEach(s -> assertEquals(ViewPosition.PA, s.getView()));
                scans.forEach(s -> assertTrue(
                        s.getAcquiredAtFromReceipt(), "the 1901-01-01 film is marked as dated " + "by its receipt"));
                int[] a = pixels(scans.get(0));
                int[] b = pixels(scans.get(1));
                assertEquals(a.length, b.length, "same size");
                int offNegative = 0;
                for (int i = 0; i < a.length; i++) {
                    offNegative = Math.max(offNegative, Math.abs(255 - a[i] - b[i]));
                }
                assertEquals(
                        0,
                        offNegative,
                        "the same stored values under MONOCHROME1 arrive as the exact negative of "
                                + "MONOCHROME2 (largest difference from 255 - v: " + offNegative + ")");
                List<DeadLetter> dead = IngestIT.await(
                        stack,
                        Topics.DEAD_LETTER,
                        d -> d.getRequestId() != null && d.getRequestId().startsWith("dicomweb:rsna-orthanc"),
                        0);
                assertEquals(List.of(), dead, "nothing of the real files is dead-lettered");
            }
        }
    }

    /**
     * One instance whose acquisition time does not parse (25:61:99) no longer stops every poll: it
     * is dead-lettered naming the field and the value's shape (never the value), and the good instance stored after it is ingested.
     */
    @Test
    void anInstanceWithAnUnparsableTimeIsDeadLetteredAndThePollGoesOn(LocalStack stack) throws Exception {
        KafkaBootstrap.prepare(KafkaSettings.from(Settings.of(IngestIT.env(stack))), "it-setup");
        String raw = IngestIT.rawId("pacs-bad-time");
        String pseudonym = new Pseudonyms(IngestIT.KEY).patient(raw);
        String badUid = "1.2.826.0.1.3680043.8.498." + System.nanoTime();
        try (LocalOrthanc pacs = LocalOrthanc.start(dir.resolve("orthanc-bad"));
                LogCapture logs = LogCapture.start()) {
            List<String> badAttrs = new ArrayList<>(attrs(raw, "PA", "256199"));
            badAttrs.add("SOPInstanceUID=" + badUid);
            pacs.store(bmp(21, false), badAttrs, false);
            pacs.store(bmp(22, false), attrs(raw, "PA", "101500"), false);
            Map<String, String> env = pollerEnv(stack, pacs, "bad-orthanc", "bad-state", "dicomweb-bad-it");
            try (IngestService ingest = new IngestService(IngestConfig.from(Settings.of(env)))) {
                ingest.start();
                List<ScanReceived> scans =
                        IngestIT.await(stack, Topics.SCANS, s -> s.getPatient().equals(pseudonym), 1);
                assertEquals(1, scans.size(), "the good instance is ingested");
                List<DeadLetter> dead = IngestIT.await(
                        stack,
                        Topics.DEAD_LETTER,
                        d -> d.getRequestId() != null && d.getRequestId().startsWith("dicomweb:bad-orthanc"),
                        1);
                assertEquals(1, dead.size());
                assertTrue(
                        dead.get(0)
                                        .getReason()
                                        .contains("AcquisitionDate/Time (0008,0022) (a value of 8 characters: "
                                                + "digits; a value of 6 characters: digits; not repeated)")
                                && !dead.get(0).getReason().contains("256199"),
                        "the field and the value's shape, never the value: "
                                + dead.get(0).getReason());
                assertTrue(
                        dead.get(0).getRequestId().startsWith("dicomweb:bad-orthanc:sop-"),
                        "named by its scan id, not its UIDs: " + dead.get(0).getRequestId());
                assertFalse(dead.get(0).toString().contains(badUid), "no SOP Instance UID in the dead letter");
            }
            String logged = logs.text();
            assertTrue(
                    logged.contains("a value of 6 characters: digits") && !logged.contains("256199"),
                    "the refusal was logged, naming the value's shape, never the value");
            assertFalse(logged.contains(badUid), "the log names the instance by scan id, never its SOP Instance UID");
            assertFalse(logged.contains(raw), "no raw patient id in the log");
        }
    }

    /** Ingest's settings with a poller of {@code pacs} every 500 ms under this name, state dir and instance id. */
    private Map<String, String> pollerEnv(
            LocalStack stack, LocalOrthanc pacs, String name, String state, String instance) {
        Map<String, String> env = new HashMap<>(IngestIT.env(stack));
        env.put(IngestConfig.DICOMWEB_URL.name(), pacs.dicomWebUrl());
        env.put(IngestConfig.DICOMWEB_NAME.name(), name);
        env.put(IngestConfig.POLL_INTERVAL.name(), "500ms");
        env.put(IngestConfig.STATE_DIR.name(), dir.resolve(state).toString());
        env.put("XRAY_INSTANCE_ID", instance);
        return env;
    }

    private static List<String> attrs(String patient, String view, String time) {
        return List.of(
                "PatientID=" + patient,
                "Modality=CR",
                "ViewPosition=" + view,
                "StudyDate=20261120",
                "AcquisitionDate=20261120",
                "AcquisitionTime=" + time);
    }

    /** Phantom i as an 8-bit grayscale BMP, inverted for a MONOCHROME1 file. */
    private Path bmp(int i, boolean invert) throws Exception {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(Images.phantom(i)));
        BufferedImage img = Images.gray(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_GRAY, (x, y) -> {
            int v = src.getRaster().getSample(x, y, 0);
            return invert ? 255 - v : v;
        });
        Path f = dir.resolve("phantom-" + i + (invert ? "-m1" : "") + ".bmp");
        ImageIO.write(img, "bmp", f.toFile());
        return f;
    }

    private static int[] pixels(ScanReceived s) throws Exception {
        byte[] b = new byte[s.getImage().remaining()];
        s.getImage().duplicate().get(b);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(b));
        return img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, (int[]) null);
    }
}
