package io.xraydrift.drift.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.drift.topology.StoreNames;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.PatientState;
import io.xraydrift.events.ScanThumbnail;
import io.xraydrift.platform.http.BearerToken;
import io.xraydrift.schemas.EventSerdes;
import io.xraydrift.schemas.RegistryUnavailableException;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The drift monitor's HTTP API and web view, answered from the Streams stores (interactive
 * queries): {@code GET /patients/{id}/trajectory} and the page {@code GET /patients/{id}} go to the
 * instance that holds the patient (proxied when it is another one), {@code GET /alerts?since=}
 * gathers every instance's alerts, {@code GET /thumbnails/{scanId}} serves the global thumbnail
 * store, {@code GET /} lists recent alerts. Bearer token in the {@code Authorization} header; a
 * browser signs in once at {@code /login} and carries a session cookie (see {@link BearerToken}).
 */
public final class DriftApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTED = "X-Xray-Routed";
    private static final int MAX_ALERTS = 1000;

    private final DriftMonitorConfig config;
    private final BearerToken token;
    /** What instances present to each other when they route a query: not the API token. */
    private final BearerToken peerToken;

    private final Deserializer<ScanThumbnail> thumbnails;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    public DriftApi(DriftMonitorConfig config, EventSerdes serdes) {
        this.config = config;
        this.token = new BearerToken(config.apiToken(), true);
        this.peerToken = new BearerToken(config.peerToken(), false);
        this.thumbnails = serdes.valueDeserializer(Topics.THUMBNAILS);
    }

    /** Connects the API to the running Streams instance and the port it advertises. */
    public void attach(KafkaStreams streams, int httpPort) {
        this.self = new HostInfo(config.advertisedHost(), httpPort);
        this.streams = streams;
    }

    public void routes(RoutesConfig routes) {
        token.routes(routes);
        // One gate for every API route (the sign-in page, health and metrics are not among them):
        // the caller is authorised (token, session cookie, or a configured peer) and the streams run.
        for (String path : List.of("/", "/patients/*", "/alerts", "/thumbnails/*")) {
            routes.before(path, ctx -> {
                if (!authorised(ctx) || !running(ctx)) {
                    ctx.skipRemainingHandlers();
                }
            });
        }
        routes.get("/", guarded(this::index));
        routes.get("/patients/{id}", guarded(ctx -> patient(ctx, false)));
        routes.get("/patients/{id}/trajectory", guarded(ctx -> patient(ctx, true)));
        routes.get("/alerts", guarded(this::alerts));
        routes.get("/thumbnails/{scanId}", guarded(this::thumbnail));
    }

    /** A store that moved during a rebalance, or an instance that did not answer, is a 503, not a 500. */
    private static Handler guarded(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (InvalidStateStoreException e) {
                ctx.status(503).json(Map.of("error", "store not queryable right now: " + e.getMessage()));
            } catch (IOException e) {
                ctx.status(503).json(Map.of("error", "another instance did not answer: " + e.getMessage()));
            } catch (RegistryUnavailableException e) {
                ctx.status(503).json(Map.of("error", e.getMessage()));
            }
        };
    }

    private void patient(Context ctx, boolean json) throws Exception {
        String id = ctx.pathParam("id");
        KeyQueryMetadata md = streams.queryMetadataForKey(
                StoreNames.PATIENTS, id, Serdes.String().serializer());
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            ctx.status(503).json(Map.of("error", "no instance holds patient " + id + " right now (rebalancing)"));
            return;
        }
        if (!md.activeHost().equals(self) && ctx.header(ROUTED) == null) {
            proxy(ctx, md.activeHost());
            return;
        }
        PatientState state = patients().get(id);
        if (state == null) {
            ctx.status(404).json(Map.of("error", "no scans of patient " + id + " (ids are pseudonyms)"));
            return;
        }
        if (json) {
            ctx.json(Json.Trajectory.of(state, config.rule()));
        } else {
            ctx.html(PatientPage.render(state, config.rule(), ctx.queryParam("scan")));
        }
    }

    private void alerts(Context ctx) throws Exception {
        String raw = ctx.queryParam("since");
        long since;
        try {
            since = raw == null
                    ? 0
                    : raw.chars().allMatch(Character::isDigit)
                            ? Long.parseLong(raw)
                            : Instant.parse(raw).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            ctx.status(400).json(Map.of("error", "since=" + raw + " is neither epoch millis nor ISO-8601"));
            return;
        }
        ctx.json(ctx.queryParam("local") == null ? allAlerts(since) : newest(localAlerts(since)));
    }

    /** Every instance's alerts since then, oldest first, at most the newest {@value #MAX_ALERTS}. */
    private List<Json.Alert> allAlerts(long since) throws IOException, InterruptedException {
        List<Json.Alert> out = new ArrayList<>(localAlerts(since));
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (!m.hostInfo().equals(self)) {
                out.addAll(remoteAlerts(m.hostInfo(), since));
            }
        }
        return newest(out);
    }

    /**
     * Oldest first by the instant (not the ISO string: "10:00:00Z" sorts after "10:00:00.5Z" as
     * text), the newest {@value #MAX_ALERTS}.
     */
    static List<Json.Alert> newest(List<Json.Alert> alerts) {
        List<Json.Alert> out = new ArrayList<>(alerts);
        out.sort(Comparator.comparing(a -> Instant.parse(a.createdAt())));
        return out.size() > MAX_ALERTS ? out.subList(out.size() - MAX_ALERTS, out.size()) : out;
    }

    private void index(Context ctx) throws Exception {
        ctx.html(PatientPage.renderAlerts(allAlerts(0)));
    }

    private void thumbnail(Context ctx) {
        String scanId = ctx.pathParam("scanId");
        byte[] bytes = streams.store(StoreQueryParameters.fromNameAndType(
                        StoreNames.THUMBNAILS, QueryableStoreTypes.<String, byte[]>keyValueStore()))
                .get(scanId);
        if (bytes == null) {
            ctx.status(404).json(Map.of("error", "no thumbnail of scan " + scanId));
            return;
        }
        ScanThumbnail t = thumbnails.deserialize(Topics.THUMBNAILS.name(), bytes);
        byte[] png = new byte[t.getImage().remaining()];
        t.getImage().duplicate().get(png);
        ctx.header("Cache-Control", "private, max-age=3600")
                .contentType("image/png")
                .result(png);
    }

    private List<Json.Alert> localAlerts(long since) {
        List<Json.Alert> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, DriftAlert> store = streams.store(StoreQueryParameters.fromNameAndType(
                StoreNames.ALERTS, QueryableStoreTypes.<String, DriftAlert>keyValueStore()));
        try (KeyValueIterator<String, DriftAlert> it = store.range(StoreNames.alertKeyFrom(since), "~")) {
            while (it.hasNext()) {
                KeyValue<String, DriftAlert> kv = it.next();
                out.add(Json.Alert.of(kv.value));
            }
        }
        return out;
    }

    /** The caller was authorised here; instances call each other with the peer secret, configured peers only. */
    private List<Json.Alert> remoteAlerts(HostInfo host, long since) throws IOException, InterruptedException {
        checkPeer(host);
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://" + host.host() + ":" + host.port() + "/alerts?local=true&since=" + since))
                .timeout(Duration.ofSeconds(10))
                .header(ROUTED, "1")
                .header("Authorization", "Bearer " + config.peerToken());
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("instance " + host + " answered " + r.statusCode() + " to /alerts: " + r.body());
        }
        return JSON.readValue(r.body(), new TypeReference<List<Json.Alert>>() {});
    }

    /** A group member that advertises an address outside XRAY_DRIFT_PEERS is never sent a request. */
    private void checkPeer(HostInfo host) throws IOException {
        if (!config.isPeer(host.host(), host.port())) {
            throw new IOException("instance " + host + " is not in " + DriftMonitorConfig.PEERS + " " + config.peers()
                    + "; not called");
        }
    }

    private void proxy(Context ctx, HostInfo host) throws IOException, InterruptedException {
        checkPeer(host);
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://" + host.host() + ":" + host.port() + ctx.path() + query))
                .timeout(Duration.ofSeconds(10))
                .header(ROUTED, "1");
        // The caller was authorised here (header or session cookie); instances present the peer secret.
        req.header("Authorization", "Bearer " + config.peerToken());
        HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        ctx.status(r.statusCode()).header("X-Xray-Served-By", host.toString());
        r.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
        ctx.result(r.body());
    }

    private ReadOnlyKeyValueStore<String, PatientState> patients() {
        return streams.store(StoreQueryParameters.fromNameAndType(
                StoreNames.PATIENTS, QueryableStoreTypes.<String, PatientState>keyValueStore()));
    }

    private boolean running(Context ctx) {
        KafkaStreams s = streams;
        if (s == null || s.state() != KafkaStreams.State.RUNNING && s.state() != KafkaStreams.State.REBALANCING) {
            ctx.status(503).json(Map.of("error", "drift monitor is " + (s == null ? "starting" : s.state())));
            return false;
        }
        return true;
    }

    private boolean authorised(Context ctx) {
        return ctx.header(ROUTED) != null && peerToken.presented(ctx) || token.check(ctx);
    }
}
