package io.xraydrift.platform.reid;

import io.xraydrift.events.SealedIdentifiers;
import io.xraydrift.platform.config.ConfigException;
import io.xraydrift.platform.config.ConfigKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Re-identification at the hospital edge: seals a scan's hospital identifiers (patient id, accession
 * number) with AES-256-GCM under the hospital's re-identification key, the scan id and pseudonym
 * bound as associated data (a sealed record moved to another scan does not open), and opens them
 * again where the key is — alert-out, filing a result against its order. Ingest seals, alert-out
 * opens; no other service holds the key or reads the topic (its ACL), and nothing here logs.
 */
public final class IdentifierSeal {

    /**
     * The identifiers a result is filed by: the patient id, the order's accession number, and the
     * film's DICOM study, series, SOP class and SOP instance UIDs (a report stored back to the PACS
     * sits beside the film by them); any but the patient id null when the scan did not carry it.
     */
    public record Identifiers(
            String patientId,
            String accessionNumber,
            String studyInstanceUid,
            String seriesInstanceUid,
            String sopClassUid,
            String sopInstanceUid) {

        public Identifiers(String patientId, String accessionNumber) {
            this(patientId, accessionNumber, null, null, null, null);
        }

        @Override
        public String toString() {
            return "Identifiers[<redacted>]";
        }
    }

    private static final int NONCE_BYTES = 12;
    /** The layout of the sealed bytes: patient id, then five optional strings. */
    private static final byte LAYOUT = 2;

    private static final int TAG_BITS = 128;
    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random = new SecureRandom();

    private IdentifierSeal(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException(
                    "the re-identification key must be 32 bytes (AES-256), got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.keyId = keyId(key);
    }

    /**
     * The re-identification key setting ({@code XRAY_REID_KEY}), as ingest and alert-out both read
     * it: unset means off; set, it is checked to be a key ({@link #ofBase64}) and stripped, and a bad
     * one stops the service naming the key and what is wrong, followed by {@code hint}.
     */
    public static ConfigKey<Optional<String>> keySetting(String meaning, String hint) {
        return ConfigKey.of(
                "XRAY_REID_KEY",
                "— (off)",
                meaning,
                (s, n) -> s.optional(n).map(String::strip).map(v -> {
                    try {
                        ofBase64(v);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(n + ": " + e.getMessage() + hint);
                    }
                    return v;
                }));
    }

    /** The seal of a base64 key of 32 bytes; fails, naming only the length, on anything else. */
    public static IdentifierSeal ofBase64(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the re-identification key is not base64 (" + base64Key.length() + " characters)");
        }
        return new IdentifierSeal(key);
    }

    /** 16 hex of SHA-256 over a label and the key: names the key in each record, never reveals it. */
    static String keyId(byte[] key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update("xray-drift re-identification key".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(key)).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** Seals one scan's identifiers. */
    public SealedIdentifiers seal(String scanId, String pseudonym, Identifiers ids, Instant now) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(scanId, pseudonym));
            byte[] sealed = c.doFinal(plain(ids));
            return SealedIdentifiers.newBuilder()
                    .setScanId(scanId)
                    .setPatient(pseudonym)
                    .setKeyId(keyId)
                    .setNonce(ByteBuffer.wrap(nonce))
                    .setCiphertext(ByteBuffer.wrap(sealed))
                    .setSealedAt(now)
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(
                    "sealing the identifiers of scan " + scanId + " failed: "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    /**
     * Opens a record sealed under this key; throws {@link IllegalArgumentException} (naming the scan and
     * the key id, never a value) when it was sealed under another key or does not authenticate.
     */
    public Identifiers open(SealedIdentifiers s) {
        if (!keyId.equals(s.getKeyId())) {
            throw new IllegalArgumentException("the identifiers of scan " + s.getScanId() + " are sealed under key "
                    + s.getKeyId() + ", not this one (" + keyId + ")");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes(s.getNonce())));
            c.updateAAD(aad(s.getScanId(), s.getPatient()));
            return identifiers(c.doFinal(bytes(s.getCiphertext())));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the identifiers of scan " + s.getScanId() + " do not open: "
                    + e.getClass().getSimpleName());
        }
    }

    private static byte[] aad(String scanId, String pseudonym) {
        return (scanId + "|" + pseudonym).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] plain(Identifiers ids) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeByte(LAYOUT);
            out.writeUTF(ids.patientId());
            for (String v : new String[] {
                ids.accessionNumber(),
                ids.studyInstanceUid(),
                ids.seriesInstanceUid(),
                ids.sopClassUid(),
                ids.sopInstanceUid()
            }) {
                out.writeBoolean(v != null);
                out.writeUTF(v == null ? "" : v);
            }
        }
        return b.toByteArray();
    }

    private static Identifiers identifiers(byte[] plain) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
            if (in.readByte() != LAYOUT) {
                throw new IOException("unknown layout");
            }
            String patient = in.readUTF();
            String[] v = new String[5];
            for (int i = 0; i < v.length; i++) {
                boolean present = in.readBoolean();
                String s = in.readUTF();
                v[i] = present ? s : null;
            }
            return new Identifiers(patient, v[0], v[1], v[2], v[3], v[4]);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
