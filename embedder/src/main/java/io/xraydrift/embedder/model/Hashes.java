package io.xraydrift.embedder.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 names: of a file (a model's weights, a backbone), of a text (a cache key, a patient's fold). */
public final class Hashes {

    private Hashes() {}

    /** The first 12 hex digits of the file's SHA-256: the model versions' and backbones' name. */
    public static String file(Path file) throws IOException {
        return HexFormat.of().formatHex(digest(Files.readAllBytes(file))).substring(0, 12);
    }

    /** The text's SHA-256 in hex. */
    public static String text(String text) {
        return HexFormat.of().formatHex(digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
