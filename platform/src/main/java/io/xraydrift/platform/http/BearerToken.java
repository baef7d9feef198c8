package io.xraydrift.platform.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import io.javalin.http.Context;

/**
 * The bearer-token check every service API shares: {@code Authorization: Bearer <token>}, or
 * {@code ?token=} where a browser opens the page itself (the drift monitor's web view). Compared
 * in constant time; a refusal answers 401 and never echoes what was sent.
 */
public final class BearerToken {

    private final byte[] expected;
    private final boolean queryParameter;

    /**
     * @param token          the configured token
     * @param queryParameter also accept {@code ?token=} (pages and images a browser loads)
     */
    public BearerToken(String token, boolean queryParameter) {
        this.expected = token.getBytes(StandardCharsets.UTF_8);
        this.queryParameter = queryParameter;
    }

    /** True when the request carries the token; otherwise answers 401 and returns false. */
    public boolean check(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.startsWith("Bearer ") && matches(header.substring("Bearer ".length()))
                || queryParameter && matches(ctx.queryParam("token"))) {
            return true;
        }
        ctx.status(401).json(Map.of("error", queryParameter
                ? "missing or wrong bearer token (Authorization header or ?token=)" : "missing or wrong bearer token"));
        return false;
    }

    private boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }
}
