package io.xraydrift.cli.ops;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** A {@code POST /scans} request to ingest: multipart with a JSON {@code metadata} part and the {@code image} part. */
public final class ScanUpload {

    private ScanUpload() {}

    /** The request; {@code contentType} is the image's ({@code image/png} or {@code image/jpeg}). */
    public static HttpRequest request(String url, String token, String metadata, byte[] image, String contentType) {
        String boundary = "xray-drift-" + UUID.randomUUID();
        String extension = contentType.endsWith("png") ? "png" : "jpg";
        ByteArrayOutputStream body = new ByteArrayOutputStream(image.length + 1024);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                        + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan."
                        + extension + "\"\r\nContent-Type: " + contentType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }

    /** The content type of an image file by its first bytes: PNG, JPEG, or null for anything else. */
    public static String contentType(byte[] image) {
        if (image.length > 8 && (image[0] & 0xFF) == 0x89 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G') {
            return "image/png";
        }
        if (image.length > 3 && (image[0] & 0xFF) == 0xFF && (image[1] & 0xFF) == 0xD8) {
            return "image/jpeg";
        }
        return null;
    }
}
