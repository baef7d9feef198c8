package io.xraydrift.alertout.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.hl7.fhir.r4.model.Resource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.alertout.message.FhirAlerts;
import io.xraydrift.events.DriftAlert;

/**
 * FHIR R4: the alert's Observation, then (for a worsening, when configured) its Flag, each POSTed
 * as a conditional create ({@code If-None-Exist: identifier=urn:xray-drift:alert|<id>}), so a resend
 * finds the stored one instead of storing a second. 200/201 taken; 4xx (but 408/429) refused; 5xx,
 * 408, 429 and no answer are failures to reach the server.
 */
public final class FhirSink implements Sink {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private final AlertOutConfig.Fhir server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public FhirSink(AlertOutConfig.Fhir server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "fhir";
    }

    @Override
    public void deliver(DriftAlert alert) throws Refused, IOException {
        post("Observation", FhirAlerts.observation(alert), alert);
        if (server.flag()) {
            var flag = FhirAlerts.flag(alert);
            if (flag != null) {
                post("Flag", flag, alert);
            }
        }
    }

    private void post(String type, Resource r, DriftAlert alert) throws Refused, IOException {
        IParser json = FHIR.newJsonParser();
        String base = server.base().toString().replaceAll("/+$", "");
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/" + type))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .header("If-None-Exist", FhirAlerts.identifierQuery(alert))
                .POST(HttpRequest.BodyPublishers.ofString(json.encodeResourceToString(r)));
        if (server.token() != null) {
            req.header("Authorization", "Bearer " + server.token());
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted posting " + type, e);
        }
        int status = answer.statusCode();
        if (status == 200 || status == 201) {
            return;
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new IOException("FHIR server answered HTTP " + status + " to " + type + " of alert " + alert.getAlertId());
        }
        throw new Refused("FHIR server answered HTTP " + status + " to " + type + ": " + answer.body());
    }
}
