package io.xraydrift.ingest.edge;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hashes at the edge: a patient identifier becomes its pseudonym, HMAC-SHA256 under the
 * deployment's secret key (hex); scan ids are keyed the same way, so neither a PatientID nor a
 * SOP Instance UID can be confirmed by hashing a guess without the key.
 */
public final class Pseudonyms {

    private final SecretKeySpec key;

    public Pseudonyms(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The pseudonym of a raw patient identifier (trimmed): 64 hex characters. */
    public String patient(String rawPatientId) {
        return hex("patient", rawPatientId.trim());
    }

    /** Scan id from a DICOM SOP Instance UID. */
    public String scanFromSop(String sopInstanceUid) {
        return "sop-" + hex("sop", sopInstanceUid.trim()).substring(0, 40);
    }

    /** Scan id from the normalised pixels' hash, the pseudonym and the acquisition time. */
    public String scanFromContent(byte[] pixelHash, String pseudonym, long acquiredAtMillis) {
        return "img-"
                + hex("content", HexFormat.of().formatHex(pixelHash) + "|" + pseudonym + "|" + acquiredAtMillis)
                        .substring(0, 40);
    }

    private String hex(String domain, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(domain.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
