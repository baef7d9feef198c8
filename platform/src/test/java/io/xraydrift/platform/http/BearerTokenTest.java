package io.xraydrift.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The web view's stateless session: an expiry signed with the token. */
class BearerTokenTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    private static BearerToken at(String token, Instant now) {
        return new BearerToken(token, true, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aSessionHoldsUntilItsExpiryUnderTheSameTokenOnly() {
        BearerToken issuer = at("s3cret", NOW);
        long expiry = NOW.plus(BearerToken.SESSION).getEpochSecond();
        String session = issuer.session(expiry);
        assertFalse(session.contains("s3cret"));
        assertTrue(issuer.validSession(session));
        assertTrue(at("s3cret", NOW.plus(BearerToken.SESSION).minusSeconds(1)).validSession(session),
                "another instance with the same token accepts it");
        assertFalse(at("s3cret", NOW.plus(BearerToken.SESSION)).validSession(session), "expired");
        assertFalse(at("rotated", NOW).validSession(session), "a new token ends every session");
    }

    @Test
    void forgedOrMalformedSessionsAreRefused() {
        BearerToken t = at("s3cret", NOW);
        long expiry = NOW.plus(BearerToken.SESSION).getEpochSecond();
        String mac = t.session(expiry).substring(String.valueOf(expiry).length() + 1);
        assertFalse(t.validSession((expiry + 86_400) + "." + mac), "a later expiry with the old signature");
        assertFalse(t.validSession(null));
        assertFalse(t.validSession(""));
        assertFalse(t.validSession("." + mac));
        assertFalse(t.validSession("soon." + mac));
        assertFalse(t.validSession(expiry + ".not*base64"));
        assertFalse(t.validSession(expiry + "."));
    }

    @Test
    void signInGoesOnlyToAPathOnThisServer() {
        assertEquals("/patients/abc?scan=x", BearerToken.safeNext("/patients/abc?scan=x"));
        assertEquals("/", BearerToken.safeNext(null));
        assertEquals("/", BearerToken.safeNext("https://evil.example/"));
        assertEquals("/", BearerToken.safeNext("//evil.example/"));
        assertEquals("/", BearerToken.safeNext("/\\\\evil.example/"));
        assertEquals("/", BearerToken.safeNext("/a\r\nSet-Cookie: x=y"));
    }
}
