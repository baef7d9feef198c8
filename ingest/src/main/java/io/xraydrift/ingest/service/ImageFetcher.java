package io.xraydrift.ingest.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.xraydrift.ingest.edge.Rejected;

/**
 * Fetches the image an intake event points at instead of carrying: {@code http(s)} URIs, and
 * {@code file} URIs only under a configured root (a feed must not read ingest's own files). At most
 * {@code maxBytes} are read.
 */
final class ImageFetcher {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Path fileRoot;
    private final long maxBytes;

    ImageFetcher(Path fileRoot, long maxBytes) {
        this.fileRoot = fileRoot == null ? null : fileRoot.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
    }

    byte[] fetch(String uri) throws Rejected {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw Rejected.invalid("imageUri", "imageUri '" + uri + "' is not a URI: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        try {
            switch (scheme) {
                case "http", "https" -> {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(20))
                            .build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        if (r.statusCode() != 200) {
                            throw Rejected.invalid("imageUri", "imageUri " + uri + " answered HTTP " + r.statusCode());
                        }
                        return bounded(in, uri);
                    }
                }
                case "file" -> {
                    if (fileRoot == null) {
                        throw Rejected.invalid("imageUri", "imageUri " + uri + ": file URIs are disabled (set "
                                + "XRAY_INGEST_FILE_ROOT to allow a directory)");
                    }
                    Path p = Path.of(u).toAbsolutePath().normalize();
                    if (!p.startsWith(fileRoot)) {
                        throw Rejected.invalid("imageUri", "imageUri " + uri + " is outside " + fileRoot);
                    }
                    try (InputStream in = Files.newInputStream(p)) {
                        return bounded(in, uri);
                    }
                }
                default -> throw Rejected.invalid("imageUri", "imageUri scheme '" + scheme
                        + "' is not http, https or file");
            }
        } catch (IOException e) {
            throw Rejected.invalid("imageUri", "cannot fetch imageUri " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejected.invalid("imageUri", "interrupted while fetching " + uri);
        }
    }

    private byte[] bounded(InputStream in, String uri) throws IOException, Rejected {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (b.length > maxBytes) {
            throw new Rejected(Rejected.Kind.TOO_LARGE, "imageUri", "image at " + uri + " is over " + maxBytes + " bytes");
        }
        return b;
    }
}
