package io.xraydrift.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
        assertTrue(
                at("s3cret", NOW.plus(BearerToken.SESSION).minusSeconds(1)).validSession(session),
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
    void sessionsAreNotSignedWithTheTokenItself() throws Exception {
        BearerToken t = at("s3cret", NOW);
        long expiry = NOW.plus(BearerToken.SESSION).getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String keyedByToken = expiry + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(mac.doFinal(("xray-web-session:" + expiry).getBytes(StandardCharsets.UTF_8)));
        assertFalse(t.validSession(keyedByToken), "a cookie signed with the token is not a session");
        assertTrue(t.validSession(t.session(expiry)));
    }

    @Test
    void failedSignInsAreThrottledPerAddressForAMinute() {
        AtomicLong millis = new AtomicLong(NOW.toEpochMilli());
        Clock moving = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
        BearerToken t = new BearerToken("s3cret", true, moving);
        for (int i = 0; i < BearerToken.FAILED_LOGINS_PER_MINUTE; i++) {
            assertFalse(t.throttled("10.1.1.1"));
            t.failedLogin("10.1.1.1");
        }
        assertTrue(t.throttled("10.1.1.1"));
        assertFalse(t.throttled("10.1.1.2"), "another address is not");
        millis.addAndGet(60_000);
        assertFalse(t.throttled("10.1.1.1"), "a minute later");
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
