package io.xraydrift.platform.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xraydrift.schemas.Topic;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers each topic's value schema under {@code <topic>-value} and sets BACKWARD compatibility
 * on the subject, through the registry's Confluent-compatible API (so it works the same against
 * Apicurio and any Confluent-compatible registry). Registering the same schema again returns the
 * same id; a BACKWARD-incompatible schema is refused by the registry and fails here, naming the
 * subject and the registry's reason.
 */
public final class SchemaRegistration {

    /** The compatibility level every subject gets. */
    public static final String COMPATIBILITY = "BACKWARD";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistration.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String ccompatUrl;
    private final HttpClient http;
    private final Optional<String> authorization;

    /** @param ccompatUrl e.g. {@code http://127.0.0.1:8080/apis/ccompat/v7} */
    public SchemaRegistration(String ccompatUrl) {
        this(
                ccompatUrl,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                Optional.empty());
    }

    /**
     * @param http          the client to use (its TLS context trusts the registry)
     * @param authorization the {@code Authorization} header to send, if any
     */
    public SchemaRegistration(String ccompatUrl, HttpClient http, Optional<String> authorization) {
        this.ccompatUrl = ccompatUrl.endsWith("/") ? ccompatUrl.substring(0, ccompatUrl.length() - 1) : ccompatUrl;
        this.http = http;
        this.authorization = authorization;
    }

    /** Registers every topic's value schema and sets its compatibility; returns subject → schema id. */
    public Map<String, Integer> registerAll(Collection<Topic<?>> topics) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Topic<?> topic : topics) {
            ids.put(topic.valueSubject(), register(topic.valueSubject(), topic.valueSchema()));
        }
        LOG.info("schemas registered with {} compatibility: {}", COMPATIBILITY, ids);
        return ids;
    }

    /** Registers one schema under a subject (BACKWARD compatibility enforced from then on); returns its id. */
    public int register(String subject, Schema schema) {
        String body = JSON.createObjectNode()
                .put("schema", schema.toString())
                .put("schemaType", "AVRO")
                .toString();
        HttpResponse<String> registered = send("POST", "/subjects/" + encode(subject) + "/versions", body);
        if (registered.statusCode() == 409 || registered.statusCode() == 422) {
            throw new SchemaRejectedException(subject, registered.statusCode(), registered.body());
        }
        expectOk(registered, "registering the schema of " + subject);
        setCompatibility(subject, COMPATIBILITY);
        return readTree(registered.body()).path("id").asInt();
    }

    /** Sets a subject's compatibility level. */
    public void setCompatibility(String subject, String level) {
        String body = JSON.createObjectNode().put("compatibility", level).toString();
        expectOk(send("PUT", "/config/" + encode(subject), body), "setting " + level + " on " + subject);
    }

    /** The compatibility level of a subject, as the registry reports it. */
    public String compatibility(String subject) {
        HttpResponse<String> r = send("GET", "/config/" + encode(subject), null);
        expectOk(r, "reading the compatibility of " + subject);
        JsonNode node = readTree(r.body());
        return node.has("compatibilityLevel")
                ? node.get("compatibilityLevel").asText()
                : node.path("compatibility").asText();
    }

    /** A schema the registry refused (e.g. not BACKWARD-compatible with the registered one). */
    public static final class SchemaRejectedException extends IllegalStateException {
        private final int status;

        SchemaRejectedException(String subject, int status, String body) {
            super("registry refused the schema for subject " + subject + " (HTTP " + status + "): " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ccompatUrl + path))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        authorization.ifPresent(a -> request.header("Authorization", a));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "schema registry at " + ccompatUrl + " did not answer " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted talking to the schema registry", e);
        }
    }

    private static void expectOk(HttpResponse<String> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("registry answered with something that is not JSON: " + body, e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
