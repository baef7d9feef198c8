package io.xraydrift.alertout.delivery;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** An HTTP peer of alert-out (a FHIR server, a PACS's DICOMweb): one client, the peer's bearer token on each request. */
final class PeerHttp {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String token;

    /** @param token the peer's bearer token, or null */
    PeerHttp(String token) {
        this.token = token;
    }

    /** Sends {@code req} (with the token) and returns the answer; {@code what} names it in errors. */
    HttpResponse<String> send(HttpRequest.Builder req, String what) throws IOException {
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending " + what, e);
        }
    }
}
