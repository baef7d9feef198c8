package io.xraydrift.cli.demo;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.AlertOutService;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.FreePorts;
import io.xraydrift.stack.TempDirs;
import io.xraydrift.stack.hospital.LocalFhirServer;
import io.xraydrift.stack.hospital.LocalMllpPeer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.imageio.ImageIO;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The demo's hospital side ({@code demo --hospital}): a PACS sending films to ingest's C-STORE SCP
 * (dcmtk's img2dcm and storescu, as a modality or PACS would), and the EHR alert-out files alerts
 * in — an MLLP peer that acknowledges and prints each ORU^R01 (HAPI v2) and a FHIR R4 server that
 * stores each Observation and Flag (HAPI FHIR) — with alert-out running in this JVM against them.
 * One command shows PACS -> alert -> EHR.
 */
final class DemoHospital implements AutoCloseable {

    /** The calling AE title the demo's PACS uses; ingest's SCP admits only it. */
    static final String PACS_AE_TITLE = "DEMO-PACS";

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);

    private final LocalMllpPeer ehr;
    private final LocalFhirServer fhir;
    private final int dicomPort;
    private final Path work;
    private final AtomicInteger stored = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private AlertOutService alertOut;

    private DemoHospital(LocalMllpPeer ehr, LocalFhirServer fhir, int dicomPort, Path work) {
        this.ehr = ehr;
        this.fhir = fhir;
        this.dicomPort = dicomPort;
        this.work = work;
    }

    /** Checks dcmtk is installed, then starts the EHR's MLLP peer and FHIR server. */
    static DemoHospital start(UnaryOperator<String> nameOf, PrintStream out) throws Exception {
        for (String tool : List.of("img2dcm", "storescu")) {
            if (!onPath(tool)) {
                throw new IllegalStateException("demo --hospital sends films with dcmtk's " + tool
                        + ", which is not installed (apt-get install dcmtk)");
            }
        }
        LocalMllpPeer ehr = new LocalMllpPeer(FreePorts.pick());
        LocalFhirServer fhir = new LocalFhirServer(FreePorts.pick());
        DemoHospital hospital = new DemoHospital(ehr, fhir, FreePorts.pick(), TempDirs.create("xray-demo-pacs"));
        try {
            ehr.onMessage(text -> out.printf("  EHR  <- HL7 %s%n", hl7Line(text, nameOf)));
            fhir.onStored(r -> out.printf("  EHR  <- FHIR %s%n", describe(r, nameOf)));
            ehr.start();
            fhir.start();
        } catch (Exception e) {
            hospital.close();
            throw e;
        }
        return hospital;
    }

    /** Ingest's settings for the demo's DICOM door: a loopback port, the demo PACS's AE title alone. */
    Map<String, String> ingestSettings() {
        return Map.of(
                IngestConfig.DICOM_PORT.name(),
                String.valueOf(dicomPort),
                IngestConfig.DICOM_CALLING_AE_TITLES.name(),
                PACS_AE_TITLE);
    }

    /** Starts alert-out in this JVM against the EHR's peers, with the pipeline's settings. */
    void startAlertOut(Settings pipeline) {
        alertOut = new AlertOutService(AlertOutConfig.from(pipeline.with(Map.of(
                AlertOutConfig.HL7_HOST.name(),
                "127.0.0.1",
                AlertOutConfig.HL7_PORT.name(),
                String.valueOf(ehr.port()),
                AlertOutConfig.FHIR_URL.name(),
                fhir.base(),
                AlertOutConfig.FROM_START.name(),
                "true"))));
        alertOut.start();
    }

    void printAddresses(PrintStream out) {
        out.printf(
                "  %-14s 127.0.0.1:%d  C-STORE SCP (called AE %s, calling AE %s only)%n",
                "ingest DICOM", dicomPort, IngestConfig.DEFAULT_AE_TITLE, PACS_AE_TITLE);
        out.printf(
                "  %-14s http://127.0.0.1:%d  GET /health; delivers to the EHR below%n",
                "alert-out", alertOut.httpPort());
        out.printf(
                "  %-14s 127.0.0.1:%d  MLLP (HAPI v2), acknowledges and prints each message%n", "EHR HL7", ehr.port());
        out.printf("  %-14s %s  FHIR R4 (HAPI FHIR): Observation, Flag%n", "EHR FHIR", fhir.base());
    }

    /**
     * Sends a scan as a PACS would: the image as a DICOM Secondary Capture with the patient id,
     * acquisition date and time and view, by C-STORE to ingest. False (and the reason printed) when
     * storescu did not get a Success.
     */
    boolean send(DemoScan scan, PrintStream out) throws IOException, InterruptedException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(scan.image()));
        BufferedImage gray = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(image, 0, 0, null);
        int n = stored.get() + refused.get();
        Path bmp = work.resolve("film-" + n + ".bmp");
        Path dcm = work.resolve("film-" + n + ".dcm");
        ImageIO.write(gray, "bmp", bmp.toFile());
        var at = scan.acquiredAt().truncatedTo(ChronoUnit.SECONDS);
        Run made = run(
                "img2dcm",
                "-i",
                "BMP",
                bmp.toString(),
                dcm.toString(),
                "-k",
                "PatientID=" + scan.patient(),
                "-k",
                "PatientName=DEMO^PATIENT",
                "-k",
                "Modality=CR",
                "-k",
                "ViewPosition=" + scan.view(),
                "-k",
                "BodyPartExamined=CHEST",
                "-k",
                "StudyDate=" + DATE.format(at),
                "-k",
                "StudyTime=" + TIME.format(at),
                "-k",
                "AcquisitionDate=" + DATE.format(at),
                "-k",
                "AcquisitionTime=" + TIME.format(at));
        Run sent = made.ok()
                ? run(
                        "storescu",
                        "-aet",
                        PACS_AE_TITLE,
                        "-aec",
                        IngestConfig.DEFAULT_AE_TITLE,
                        "127.0.0.1",
                        String.valueOf(dicomPort),
                        dcm.toString())
                : made;
        Files.deleteIfExists(bmp);
        Files.deleteIfExists(dcm);
        if (sent.ok() && !sent.output().contains("Status")) {
            stored.incrementAndGet();
            return true;
        }
        refused.incrementAndGet();
        out.println("  C-STORE failed: " + sent.output().strip());
        return false;
    }

    /** One line: films stored by C-STORE, messages and resources the EHR took. */
    String summary() {
        Map<String, Map<String, Resource>> s = fhir.stored();
        long active = s.getOrDefault("Flag", Map.of()).values().stream()
                .filter(r -> ((Flag) r).getStatus() == Flag.FlagStatus.ACTIVE)
                .count();
        return String.format(
                "Hospital path: %d films stored by C-STORE (%d refused); the EHR took %d ORU^R01 over "
                        + "MLLP, %d Observations and %d Flags over FHIR (%d active).",
                stored.get(),
                refused.get(),
                ehr.received().size(),
                s.getOrDefault("Observation", Map.of()).size(),
                s.getOrDefault("Flag", Map.of()).size(),
                active);
    }

    /** ORU^R01 messages the EHR took over MLLP. */
    int messages() {
        return ehr.received().size();
    }

    /** Observations the EHR took over FHIR (one per alert). */
    int observations() {
        return fhir.stored().getOrDefault("Observation", Map.of()).size();
    }

    int filmsStored() {
        return stored.get();
    }

    /** Waits up to {@code patience} until the EHR holds {@code alerts} messages and Observations. */
    boolean awaitDelivered(int alerts, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (messages() >= alerts && observations() >= alerts) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void close() {
        try {
            if (alertOut != null) {
                alertOut.close();
            }
        } finally {
            try {
                ehr.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
            try {
                fhir.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            TempDirs.deleteQuietly(work);
        }
    }

    private static String describe(Resource r, UnaryOperator<String> nameOf) {
        Reference subject = r instanceof Observation o ? o.getSubject() : ((Flag) r).getSubject();
        String who = nameOf.apply(subject.getIdentifier().getValue());
        if (r instanceof Flag f) {
            return String.format(
                    "Flag %s %s for %s",
                    f.getIdElement().getIdPart(), f.getStatus().toCode(), who);
        }
        Observation o = (Observation) r;
        return String.format(
                "Observation %s for %s: %s",
                o.getIdElement().getIdPart(),
                who,
                o.getCode().getCodingFirstRep().getDisplay());
    }

    /** An ORU^R01 in one line: its type, control id and the patient's demo name. */
    private static String hl7Line(String text, UnaryOperator<String> nameOf) {
        String type = "";
        String control = "";
        String patient = "";
        for (String segment : text.split("\r")) {
            String[] f = segment.split("\\|", -1);
            if (f[0].equals("MSH") && f.length > 9) {
                type = f[8];
                control = f[9];
            } else if (f[0].equals("PID") && f.length > 3) {
                patient = nameOf.apply(f[3].split("\\^")[0]);
            }
        }
        return type + " " + control + " for " + patient + ", acknowledged AA";
    }

    private record Run(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, command[0] + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), output);
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}
