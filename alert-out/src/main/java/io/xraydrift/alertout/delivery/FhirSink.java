package io.xraydrift.alertout.delivery;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.message.FhirAlerts;
import io.xraydrift.events.DriftAlert;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Resource;

/**
 * FHIR R4: the alert's Observation, then (for a worsening, when configured) its Flag, each POSTed
 * as a conditional create ({@code If-None-Exist: identifier=urn:xray-drift:alert|<id>}), so a resend
 * finds the stored one instead of storing a second; a recovery retires the patient's active Flags
 * (inactive, {@code period.end}). Each peer is probed with {@code GET [base]/metadata}. 200/201 taken; 4xx (but 408/429) refused; 5xx,
 * 408, 429 and no answer are failures to reach the server.
 */
public final class FhirSink implements Sink {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private final AlertOutConfig.Fhir server;
    private final SealedIdentifierReader reid;
    private final PeerHttp http;

    public FhirSink(AlertOutConfig.Fhir server) {
        this(server, null);
    }

    /** @param reid the sealed identifiers, with re-identification on; null: the subject is the pseudonym */
    public FhirSink(AlertOutConfig.Fhir server, SealedIdentifierReader reid) {
        this.server = server;
        this.reid = reid;
        this.http = new PeerHttp(server.token());
    }

    @Override
    public String name() {
        return "fhir";
    }

    @Override
    public void deliver(DriftAlert alert) throws Refused, IOException {
        var ids = Sink.identifiers(reid, alert);
        FhirAlerts.Filing filing =
                ids == null ? null : new FhirAlerts.Filing(ids, server.mrnSystem(), server.accessionSystem());
        post("Observation", FhirAlerts.observation(alert, filing), alert);
        if (server.flag()) {
            var flag = FhirAlerts.flag(alert, filing);
            if (flag != null) {
                post("Flag", flag, alert);
            } else {
                retireFlags(alert, filing);
            }
        }
    }

    /**
     * A recovery closes what the patient's worsening opened: every active Flag of ours for the patient
     * (found by {@code subject:identifier} and our identifier system) that began before the recovery
     * is updated to inactive with {@code period.end} set to the recovery, each by a version-checked
     * update ({@code If-Match}). Replay-safe: a second pass finds none active; a Flag opened after the
     * recovery (a later episode) is left alone.
     */
    private void retireFlags(DriftAlert recovery, FhirAlerts.Filing filing) throws Refused, IOException {
        String subject = filing == null
                ? FhirAlerts.PSEUDONYM_SYSTEM + "|" + recovery.getPatient()
                : filing.mrnSystem() + "|" + filing.ids().patientId();
        String url = base() + "/Flag?subject:identifier=" + encode(subject) + "&identifier="
                + encode(FhirAlerts.ALERT_SYSTEM + "|") + "&_count=100";
        Date end = Date.from(recovery.getCreatedAt());
        while (url != null) {
            HttpResponse<String> found = send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Accept", "application/fhir+json")
                            .GET(),
                    "the patient's flags");
            check(found, "a search for the patient's Flags", recovery, false);
            Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, found.body());
            for (var entry : bundle.getEntry()) {
                if (entry.getResource() instanceof Flag flag && FhirAlerts.retire(flag, end)) {
                    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(
                                    base() + "/Flag/" + flag.getIdElement().getIdPart()))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/fhir+json")
                            .header("Accept", "application/fhir+json")
                            .PUT(HttpRequest.BodyPublishers.ofString(
                                    FHIR.newJsonParser().encodeResourceToString(flag)));
                    String version = flag.getIdElement().getVersionIdPart();
                    if (version == null && flag.hasMeta()) {
                        version = flag.getMeta().getVersionId();
                    }
                    if (version != null) {
                        put.header("If-Match", "W/\"" + version + "\"");
                    }
                    check(
                            send(put, "a Flag's update"),
                            "the update retiring Flag " + flag.getIdElement().getIdPart(),
                            recovery,
                            true);
                }
            }
            var next = bundle.getLink(Bundle.LINK_NEXT);
            url = next == null ? null : next.getUrl();
        }
    }

    private static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    /**
     * 200/201 taken; 5xx, 408, 429 — and for a version-checked update, 412 (the Flag changed
     * meanwhile) — tried again; other 4xx refused.
     */
    private static void check(HttpResponse<String> answer, String what, DriftAlert alert, boolean versionChecked)
            throws Refused, IOException {
        int status = answer.statusCode();
        if (status == 200 || status == 201) {
            return;
        }
        if (status >= 500 || status == 408 || status == 429 || versionChecked && status == 412) {
            throw new IOException(
                    "FHIR server answered HTTP " + status + " to " + what + " of alert " + alert.getAlertId());
        }
        throw new Refused("FHIR server answered HTTP " + status + " to " + what + ": " + answer.body());
    }

    @Override
    public void probe() throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + "/metadata"))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/fhir+json")
                .GET();
        HttpResponse<String> answer;
        try {
            answer = send(req, "the CapabilityStatement");
        } catch (IOException e) {
            throw new IOException("FHIR server " + base() + " does not answer GET [base]/metadata: " + e, e);
        }
        if (answer.statusCode() != 200) {
            throw new IOException("FHIR server answered HTTP " + answer.statusCode() + " to GET [base]/metadata");
        }
    }

    private String base() {
        return server.base().toString().replaceAll("/+$", "");
    }

    private HttpResponse<String> send(HttpRequest.Builder req, String what) throws IOException {
        return http.send(req, what);
    }

    private void post(String type, Resource r, DriftAlert alert) throws Refused, IOException {
        IParser json = FHIR.newJsonParser();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base() + "/" + type))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .header("If-None-Exist", FhirAlerts.identifierQuery(alert))
                .POST(HttpRequest.BodyPublishers.ofString(json.encodeResourceToString(r)));
        check(send(req, type), type, alert, false);
    }
}
