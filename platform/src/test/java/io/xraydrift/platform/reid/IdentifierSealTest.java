package io.xraydrift.platform.reid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.events.SealedIdentifiers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class IdentifierSealTest {

    private static final String KEY =
            Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final String OTHER =
            Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));

    @Test
    void sealedIdentifiersOpenOnlyUnderTheKeyAndForTheirOwnScan() {
        IdentifierSeal seal = IdentifierSeal.ofBase64(KEY);
        var ids = new IdentifierSeal.Identifiers("MRN-0042", "ACC-777");
        SealedIdentifiers s = seal.seal("sop-1", "pt-1", ids, Instant.parse("2026-12-07T00:00:00Z"));
        assertEquals(ids, seal.open(s));
        String stored = s.toString();
        assertFalse(stored.contains("MRN-0042") || stored.contains("ACC-777"), "no identifier in clear: " + stored);
        assertFalse(ids.toString().contains("MRN"), "the identifiers never print");
        assertNotEquals(
                s.getNonce(), seal.seal("sop-1", "pt-1", ids, Instant.now()).getNonce(), "a fresh nonce each time");
        SealedIdentifiers moved =
                SealedIdentifiers.newBuilder(s).setScanId("sop-2").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> seal.open(moved));
        assertTrue(e.getMessage().contains("sop-2") && !e.getMessage().contains("MRN"), e.getMessage());
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> IdentifierSeal.ofBase64(OTHER).open(s));
        assertTrue(other.getMessage().contains(seal.keyId()), other.getMessage());
        assertEquals(
                null,
                seal.open(seal.seal("sop-3", "pt-1", new IdentifierSeal.Identifiers("MRN-1", null), Instant.now()))
                        .accessionNumber());
    }

    @Test
    void aKeyThatIsNot32BytesOfBase64IsRefusedWithoutRepeatingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> IdentifierSeal.ofBase64("c2hvcnQ="));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> IdentifierSeal.ofBase64("not base64 at all!"));
        assertFalse(bad.getMessage().contains("not base64 at all"), bad.getMessage());
    }
}
