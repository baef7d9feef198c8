package io.xraydrift.alertout.delivery;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.message.StructuredReports;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.platform.reid.IdentifierSeal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each alert back to the PACS as a DICOM Structured Report beside its film, stored by STOW-RS
 * ({@code POST [base]/studies/{study}}, {@code multipart/related; type="application/dicom"}). The SR
 * carries the film's own patient id, study and SOP instance, which only re-identification gives: an
 * alert whose scan has no sealed DICOM study (an upload, or ingest without the key then) has nothing
 * to sit beside and is passed over, saying so. Its SOP instance UID comes from the alert id, so a
 * resend stores the same instance again. 200 taken; 202/409 (the PACS failed it) and other 4xx
 * refused; 5xx, 408, 429 and no answer are failures to reach the PACS. Probed with {@code GET
 * [base]/studies?limit=1}.
 */
public final class SrSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(SrSink.class);
    private static final String BOUNDARY = "xray-drift-sr-boundary";

    private final AlertOutConfig.Sr pacs;
    private final StructuredReports reports;
    private final SealedIdentifierReader reid;
    private final PeerHttp http;

    public SrSink(AlertOutConfig.Sr pacs, StructuredReports reports, SealedIdentifierReader reid) {
        this.pacs = pacs;
        this.reports = reports;
        this.reid = reid;
        this.http = new PeerHttp(pacs.token());
    }

    @Override
    public String name() {
        return "sr";
    }

    @Override
    public void deliver(DriftAlert alert) throws Refused, IOException {
        IdentifierSeal.Identifiers ids = Sink.identifiers(reid, alert);
        if (ids == null
                || ids.studyInstanceUid() == null
                || ids.sopInstanceUid() == null
                || ids.sopClassUid() == null) {
            LOG.info(
                    "alert {}: its scan {} has no sealed DICOM film to sit beside; no SR stored",
                    alert.getAlertId(),
                    alert.getScanId());
            return;
        }
        byte[] sr = reports.report(alert, ids, pacs.patientName());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(sr);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + "/studies/" + ids.studyInstanceUid()))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        HttpResponse<String> answer = send(req, "the SR of alert " + alert.getAlertId());
        int status = answer.statusCode();
        if (status == 200) {
            return;
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new IOException("the PACS answered HTTP " + status + " to the SR of alert " + alert.getAlertId());
        }
        throw new Refused("the PACS answered HTTP " + status + " to the SR: " + answer.body());
    }

    @Override
    public void probe() throws IOException {
        HttpResponse<String> answer;
        try {
            answer = send(
                    HttpRequest.newBuilder(URI.create(base() + "/studies?limit=1"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Accept", "application/dicom+json")
                            .GET(),
                    "a study search");
        } catch (IOException e) {
            throw new IOException("the PACS " + base() + " does not answer a DICOMweb study search: " + e, e);
        }
        if (answer.statusCode() != 200 && answer.statusCode() != 204) {
            throw new IOException("the PACS answered HTTP " + answer.statusCode() + " to a DICOMweb study search");
        }
    }

    private String base() {
        return pacs.stowBase().toString().replaceAll("/+$", "");
    }

    private HttpResponse<String> send(HttpRequest.Builder req, String what) throws IOException {
        return http.send(req, what);
    }
}
