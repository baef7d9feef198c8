package io.xraydrift.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xraydrift.phantoms.Manifest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads a labelled folder as the reference cohort: every manifest row becomes a labelled scan
 * uploaded to ingest's {@code POST /scans} (patient id, acquisition time, view, reference label
 * and, where the manifest has one, the radiologist severity). Ingest pseudonymises, normalises and gates each one exactly as any other scan,
 * and answers a scan it already holds as a duplicate, so loading the same folder again adds nothing
 * (the indexer also ignores a scan id it holds). Shows a progress bar and returns what happened.
 */
public final class CohortLoader {

    /** What a load did: new scans, scans ingest already held, and each refusal with ingest's reason. */
    public record Result(int accepted, int duplicates, List<String> refused) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;
    private final PrintStream progress;

    public CohortLoader(String ingestUrl, String token, PrintStream progress) {
        this.url = ingestUrl.replaceAll("/+$", "") + "/scans";
        this.token = token;
        this.progress = progress;
    }

    /** Uploads every row, {@code concurrency} at a time; {@code source} names the cohort in the events. */
    public Result load(List<Manifest.Entry> rows, String source, int concurrency) throws InterruptedException {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Manifest.Entry row : rows) {
                futures.add(pool.submit(() -> {
                    String refusal = upload(row, source, accepted, duplicates);
                    if (refusal != null) {
                        refused.add(row.file() + ": " + refusal);
                    }
                    int n = done.incrementAndGet();
                    if (n % 10 == 0 || n == rows.size()) {
                        bar(n, rows.size(), accepted.get(), duplicates.get(), refused.size());
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cohort upload failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        progress.println();
        List<String> sorted = new ArrayList<>(refused);
        Collections.sort(sorted);
        return new Result(accepted.get(), duplicates.get(), sorted);
    }

    /** Uploads one row; returns null when ingest took it, else the reason it was refused. */
    private String upload(Manifest.Entry row, String source, AtomicInteger accepted, AtomicInteger duplicates) {
        if (row.acquiredAt() == null) {
            return "acquired_at is empty (manifest line " + row.line() + "); ingest needs the acquisition time";
        }
        byte[] image;
        try {
            image = row.read();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        String type = ScanUpload.contentType(image);
        if (type == null) {
            return "not a PNG or JPEG file (" + image.length + " bytes); export a DICOM cohort to PNG first "
                    + "(C-STORE and STOW-RS carry no reference label)";
        }
        ObjectNode meta = JSON.createObjectNode()
                .put("patientId", row.patient())
                .put("acquiredAt", row.acquiredAt().toString())
                .put("referenceLabel", row.grade().name())
                .put("source", source);
        if (!Double.isNaN(row.severity())) {
            meta.put("referenceSeverity", row.severity());
        }
        if (row.view().equalsIgnoreCase("PA") || row.view().equalsIgnoreCase("AP")) {
            meta.put("view", row.view().toUpperCase(Locale.ROOT));
        }
        try {
            HttpResponse<String> r = http.send(
                    ScanUpload.request(url, token, meta.toString(), image, type), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() == 202) {
                (body.path("duplicate").asBoolean(false) ? duplicates : accepted).incrementAndGet();
                return null;
            }
            return "HTTP " + r.statusCode() + " " + body.path("error").asText(r.body());
        } catch (IOException e) {
            return "ingest at " + url + " did not answer: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private void bar(int done, int total, int accepted, int duplicates, int refused) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        progress.printf(
                Locale.ROOT,
                "\r[%s%s] %d/%d  new %d  already there %d  refused %d",
                "#".repeat(filled),
                "-".repeat(width - filled),
                done,
                total,
                accepted,
                duplicates,
                refused);
        progress.flush();
    }
}
