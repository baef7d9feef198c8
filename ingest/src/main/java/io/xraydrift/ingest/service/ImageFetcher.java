package io.xraydrift.ingest.service;

import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.ingest.edge.Rejected;
import io.xraydrift.ingest.edge.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fetches the image an intake event points at instead of carrying. {@code http(s)} only from the
 * hosts listed in {@value IngestConfig#FETCH_HOSTS}, and only where the host resolves to public
 * addresses unless {@value IngestConfig#FETCH_PRIVATE} allows loopback, link-local and private ones
 * (so a feed cannot make ingest probe 127.0.0.1, 169.254.169.254 or the registry); redirects are
 * not followed; the whole answer must arrive within one deadline; at most {@code maxBytes} are read.
 * {@code file} URIs only under a configured root (a feed must not read ingest's own files). Refusals
 * say what was refused, not what an unlisted address answered.
 */
final class ImageFetcher {

    /** How long a fetch may take, connection to last byte. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ingest-fetch-deadline");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final Path fileRoot;
    private final long maxBytes;
    private final Set<String> hosts;
    private final boolean privateAllowed;
    private final Duration deadline;

    ImageFetcher(Path fileRoot, long maxBytes, Set<String> hosts, boolean privateAllowed, Duration deadline) {
        this.fileRoot = fileRoot == null ? null : fileRoot.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        this.hosts = Set.copyOf(hosts);
        this.privateAllowed = privateAllowed;
        this.deadline = deadline;
    }

    byte[] fetch(String uri) throws Rejected {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw Rejected.invalid("imageUri", "imageUri (" + Shape.of(uri) + ", not repeated) is not a URI");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        try {
            switch (scheme) {
                case "http", "https" -> {
                    return http(u, uri);
                }
                case "file" -> {
                    if (fileRoot == null) {
                        throw Rejected.invalid(
                                "imageUri",
                                "imageUri is a file URI, and file URIs are disabled (set "
                                        + "XRAY_INGEST_FILE_ROOT to allow a directory)");
                    }
                    Path p = Path.of(u).toAbsolutePath().normalize();
                    if (!p.startsWith(fileRoot)) {
                        throw Rejected.invalid(
                                "imageUri", "imageUri is a file outside " + fileRoot + " (the path is not repeated)");
                    }
                    try (InputStream in = Files.newInputStream(p)) {
                        return bounded(in, uri);
                    }
                }
                default ->
                    throw Rejected.invalid(
                            "imageUri",
                            "imageUri scheme (" + Shape.of(scheme) + ", not repeated) is not http, https or file");
            }
        } catch (IOException e) {
            throw Rejected.invalid(
                    "imageUri",
                    "cannot fetch imageUri (" + e.getClass().getSimpleName() + "; the address is not repeated)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejected.invalid("imageUri", "interrupted while fetching imageUri");
        }
    }

    private byte[] http(URI u, String uri) throws Rejected, IOException, InterruptedException {
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        if (!hosts.contains(host)) {
            throw Rejected.invalid(
                    "imageUri",
                    "imageUri host (" + Shape.of(host) + ") is not in " + IngestConfig.FETCH_HOSTS
                            + (hosts.isEmpty() ? " (empty: ingest fetches from no host)" : " " + hosts));
        }
        if (!privateAllowed) {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw Rejected.invalid("imageUri", "imageUri host (" + Shape.of(host) + ") does not resolve");
            }
            for (InetAddress a : addresses) {
                if (internal(a)) {
                    throw Rejected.invalid(
                            "imageUri",
                            "imageUri host (" + Shape.of(host) + ") resolves to"
                                    + " a loopback, link-local or private address (" + IngestConfig.FETCH_PRIVATE
                                    + "=true allows it)");
                }
            }
        }
        long started = System.nanoTime();
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(u).timeout(deadline).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() / 100 == 3) {
                throw Rejected.invalid(
                        "imageUri",
                        "imageUri answered a redirect (HTTP " + r.statusCode() + "); redirects are not followed");
            }
            if (r.statusCode() != 200) {
                throw Rejected.invalid("imageUri", "imageUri answered HTTP " + r.statusCode());
            }
            long left = deadline.toNanos() - (System.nanoTime() - started);
            ScheduledFuture<?> cut = WATCHDOG.schedule(
                    () -> {
                        try {
                            in.close();
                        } catch (IOException ignored) {
                            // the read fails either way
                        }
                    },
                    Math.max(0, left),
                    TimeUnit.NANOSECONDS);
            try {
                return bounded(in, uri);
            } catch (IOException e) {
                if (System.nanoTime() - started >= deadline.toNanos()) {
                    throw Rejected.invalid("imageUri", "imageUri " + uri + " did not finish within " + deadline);
                }
                throw e;
            } finally {
                cut.cancel(false);
            }
        }
    }

    /** Loopback, link-local, site-local (10/8, 172.16/12, 192.168/16), any-local, multicast or IPv6 unique-local. */
    static boolean internal(InetAddress a) {
        return a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isAnyLocalAddress()
                || a.isMulticastAddress()
                || (a instanceof Inet6Address && (a.getAddress()[0] & 0xFE) == 0xFC);
    }

    private byte[] bounded(InputStream in, String uri) throws IOException, Rejected {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (b.length > maxBytes) {
            throw new Rejected(
                    Rejected.Kind.TOO_LARGE, "imageUri", "image at " + uri + " is over " + maxBytes + " bytes");
        }
        return b;
    }
}
