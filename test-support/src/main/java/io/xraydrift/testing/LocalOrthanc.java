package io.xraydrift.testing;

import io.xraydrift.stack.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PACS for tests: Debian's Orthanc with its DICOMweb plugin, started as a child process on
 * free loopback ports with its own storage, and DICOM files made and sent with dcmtk
 * ({@code img2dcm}, {@code dcmodify}, {@code storescu}).
 */
public record LocalOrthanc(Process process, int httpPort, int dicomPort, Path dir) implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/Orthanc");
    public static final Path PLUGIN = Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
    public static final String AET = "XRAYPACS";

    public static LocalOrthanc start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** Orthanc with more configuration: {@code extra} is JSON members ({@code "DicomModalities": {...},}). */
    public static LocalOrthanc start(Path dir, String extra) throws IOException, InterruptedException {
        for (Path p : List.of(BINARY, PLUGIN, Path.of("/usr/bin/img2dcm"), Path.of("/usr/bin/storescu"))) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(
                        p + " is missing: apt-get install orthanc orthanc-dicomweb dcmtk " + "(.ci/run does)");
            }
        }
        int http = freePort();
        int dicom = freePort();
        Files.createDirectories(dir.resolve("db"));
        Path config = dir.resolve("orthanc.json");
        Files.writeString(config, """
                {%6$s"Name": "xray-drift-it", "StorageDirectory": "%1$s", "IndexDirectory": "%1$s",
                 "Plugins": ["%2$s"], "HttpPort": %3$d, "DicomPort": %4$d, "DicomAet": "%5$s",
                 "HttpBindAddress": "127.0.0.1", "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
                 "DicomWeb": {"Enable": true, "Root": "/dicom-web/"}}
                """.formatted(dir.resolve("db"), PLUGIN, http, dicom, AET, extra));
        Process p = new ProcessBuilder(BINARY.toString(), config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        LocalOrthanc o = new LocalOrthanc(p, http, dicom, dir);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(
                                        HttpRequest.newBuilder(URI.create(o.baseUrl() + "/system"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return o;
                }
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        o.close();
        throw new IllegalStateException("Orthanc did not answer within 30 s; see " + dir.resolve("orthanc.log"));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String dicomWebUrl() {
        return baseUrl() + "/dicom-web";
    }

    /**
     * A DICOM file from an 8-bit grayscale BMP via img2dcm, with the given attributes
     * ({@code Tag=value}), optionally MONOCHROME1 (pixels inverted by the caller), and sent with storescu.
     */
    public void store(Path bmp, List<String> attributes, boolean monochrome1) throws IOException, InterruptedException {
        Path dcm = bmp.resolveSibling(bmp.getFileName() + ".dcm");
        List<String> cmd = new ArrayList<>(List.of("img2dcm", "-i", "BMP", bmp.toString(), dcm.toString()));
        for (String a : attributes) {
            cmd.add("-k");
            cmd.add(a);
        }
        run(cmd);
        if (monochrome1) {
            run(List.of("dcmodify", "-nb", "-m", "PhotometricInterpretation=MONOCHROME1", dcm.toString()));
        }
        run(List.of("storescu", "-aec", AET, "127.0.0.1", String.valueOf(dicomPort), dcm.toString()));
    }

    /**
     * A DICOM file as it came, sent with storescu (offering JPEG transfer syntaxes too, for
     * JPEG-coded files); {@code newInstanceUid} gives a copy a fresh SOP Instance UID first (two files
     * of one instance would otherwise be one in the PACS).
     */
    public void storeFile(Path dcm, boolean newInstanceUid) throws IOException, InterruptedException {
        Path copy = dir.resolve("stored-" + System.nanoTime() + "-" + dcm.getFileName());
        Files.copy(dcm, copy);
        if (newInstanceUid) {
            run(List.of("dcmodify", "-nb", "-gin", copy.toString()));
        }
        run(List.of("storescu", "-xy", "-aec", AET, "127.0.0.1", String.valueOf(dicomPort), copy.toString()));
    }

    private void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("dcmtk.log").toFile()))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + dir.resolve("dcmtk.log"));
        }
    }

    private static int freePort() {
        return FreePorts.pick();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
