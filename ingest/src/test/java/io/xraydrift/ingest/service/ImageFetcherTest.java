package io.xraydrift.ingest.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.xraydrift.ingest.edge.Rejected;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * imageUri fetching against a real HTTP server on loopback: only listed hosts, never an internal
 * address unless allowed, no redirects, one deadline for the whole answer.
 */
class ImageFetcherTest {

    private static final byte[] IMAGE = {1, 2, 3, 4};
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok.png", x -> {
            x.sendResponseHeaders(200, IMAGE.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(IMAGE);
            }
        });
        server.createContext("/moved", x -> {
            x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/slow", x -> {
            x.sendResponseHeaders(200, 1000);
            OutputStream out = x.getResponseBody();
            out.write(new byte[10]);
            out.flush();
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static ImageFetcher fetcher(Set<String> hosts, boolean privateAllowed) {
        return new ImageFetcher(null, 1 << 20, hosts, privateAllowed, Duration.ofSeconds(1));
    }

    @Test
    void anUnlistedHostIsRefusedBeforeAnyConnection() {
        Rejected r = assertThrows(Rejected.class, () -> fetcher(Set.of(), true).fetch(base + "/ok.png"));
        assertTrue(r.getMessage().contains("not in XRAY_INGEST_FETCH_HOSTS"), r.getMessage());
        Rejected metadata = assertThrows(
                Rejected.class,
                () -> fetcher(Set.of("pacs.example"), true).fetch("http://169.254.169.254/latest/meta-data/"));
        assertTrue(metadata.getMessage().contains("not in"), metadata.getMessage());
    }

    @Test
    void aListedHostResolvingToAnInternalAddressNeedsItAllowed() throws Exception {
        Rejected r = assertThrows(
                Rejected.class, () -> fetcher(Set.of("127.0.0.1"), false).fetch(base + "/ok.png"));
        assertTrue(r.getMessage().contains("resolves to a loopback, link-local or private address"), r.getMessage());
        assertArrayEquals(IMAGE, fetcher(Set.of("127.0.0.1"), true).fetch(base + "/ok.png"));
        assertTrue(ImageFetcher.internal(InetAddress.getByName("10.1.2.3")));
        assertTrue(ImageFetcher.internal(InetAddress.getByName("169.254.169.254")));
        assertTrue(ImageFetcher.internal(InetAddress.getByName("fd00::1")));
        assertFalse(ImageFetcher.internal(InetAddress.getByName("93.184.216.34")));
    }

    @Test
    void redirectsAreNotFollowedAndASlowAnswerHitsTheDeadline() {
        Rejected moved = assertThrows(
                Rejected.class, () -> fetcher(Set.of("127.0.0.1"), true).fetch(base + "/moved"));
        assertTrue(moved.getMessage().contains("redirects are not followed"), moved.getMessage());
        Rejected slow = assertThrows(
                Rejected.class, () -> fetcher(Set.of("127.0.0.1"), true).fetch(base + "/slow"));
        assertTrue(slow.getMessage().contains("did not finish within PT1S"), slow.getMessage());
    }
}
