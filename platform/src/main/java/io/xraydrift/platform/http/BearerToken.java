package io.xraydrift.platform.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bearer-token check every service API shares: {@code Authorization: Bearer <token>}, compared
 * in constant time; a refusal answers 401 and never echoes what was sent.
 *
 * <p>With browser sign-in (the drift monitor's web view) a browser signs in once at
 * {@code /login} with the token and from then on carries a session cookie ({@value #COOKIE}:
 * HttpOnly, SameSite=Lax, Secure behind https, 12 h), so the token stays out of URLs, browser
 * history, proxy logs and Referer headers. The cookie is stateless — an expiry and an HMAC of it
 * keyed by the token — so every instance sharing the token accepts it, and changing the token ends
 * every session. A page opened without a session is sent to the sign-in page; API clients get 401.
 * {@code ?token=} still signs a browser in once (the demo prints such links) and is at once
 * redirected to the same address without it.
 */
public final class BearerToken {

    /** The sign-in page's precompiled template ({@code platform/login.jte}): escaping by default. */
    private static final gg.jte.TemplateEngine PAGES = gg.jte.TemplateEngine.createPrecompiled(gg.jte.ContentType.Html);

    public static final String COOKIE = "xray_session";
    static final Duration SESSION = Duration.ofHours(12);

    /** Failed sign-ins per address per minute before /login answers 429 for the rest of the minute. */
    static final int FAILED_LOGINS_PER_MINUTE = 5;

    private final byte[] expected;
    private final byte[] sessionKey;
    private final boolean browser;
    private final Clock clock;
    private final Map<String, long[]> failedLogins = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > 10_000;
        }
    };

    /**
     * @param token   the configured token
     * @param browser also sign browsers in ({@code /login}, session cookie, one-shot {@code ?token=})
     */
    public BearerToken(String token, boolean browser) {
        this(token, browser, Clock.systemUTC());
    }

    BearerToken(String token, boolean browser, Clock clock) {
        this.expected = token.getBytes(StandardCharsets.UTF_8);
        // Sessions are signed with a key derived from the token, not the token itself: the same on every
        // instance (stateless), and a key that signs cookies is never the one that opens the API.
        this.sessionKey = hmac(expected, "xray-web-session-key".getBytes(StandardCharsets.UTF_8));
        this.browser = browser;
        this.clock = clock;
    }

    /** The sign-in routes: {@code GET/POST /login}, {@code GET /logout}. Only with browser sign-in. */
    public void routes(RoutesConfig routes) {
        if (!browser) {
            throw new IllegalStateException("browser sign-in is off for this token");
        }
        routes.get("/login", ctx -> loginPage(ctx, 200, null));
        routes.post("/login", this::login);
        routes.get("/logout", ctx -> {
            ctx.removeCookie(COOKIE, "/");
            loginPage(ctx, 200, "Signed out.");
        });
    }

    /** True when the request's Authorization header carries this token; answers nothing either way. */
    public boolean presented(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith("Bearer ") && matches(header.substring("Bearer ".length()));
    }

    /** True when the request carries the token or a valid session; otherwise answers and returns false. */
    public boolean check(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.startsWith("Bearer ") && matches(header.substring("Bearer ".length()))) {
            return true;
        }
        if (browser) {
            if (validSession(ctx.cookie(COOKIE))) {
                return true;
            }
            String query = ctx.queryParam("token");
            if (query != null && matches(query)) {
                startSession(ctx);
                ctx.redirect(withoutToken(ctx), HttpStatus.SEE_OTHER);
                return false;
            }
            String accept = ctx.header("Accept");
            if (ctx.method() == HandlerType.GET && accept != null && accept.contains("text/html")) {
                ctx.redirect(
                        "/login?next=" + URLEncoder.encode(pathAndQuery(ctx), StandardCharsets.UTF_8),
                        HttpStatus.SEE_OTHER);
                return false;
            }
        }
        ctx.status(401)
                .json(Map.of(
                        "error",
                        browser
                                ? "missing or wrong bearer token (Authorization header, or sign in at /login)"
                                : "missing or wrong bearer token"));
        return false;
    }

    private void login(Context ctx) {
        String next = safeNext(ctx.formParam("next"));
        if (throttled(ctx.ip())) {
            loginPage(ctx, 429, "Too many failed sign-ins from this address; try again in a minute.");
            return;
        }
        if (!matches(ctx.formParam("token"))) {
            failedLogin(ctx.ip());
            loginPage(ctx, 401, "Wrong token.");
            return;
        }
        startSession(ctx);
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    private void startSession(Context ctx) {
        long expiry = clock.instant().plus(SESSION).getEpochSecond();
        boolean secure =
                "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.cookie(
                new Cookie(COOKIE, session(expiry), "/", (int) SESSION.toSeconds(), secure, true, null, SameSite.LAX));
    }

    /** {@code <expiry epoch seconds>.<base64url HMAC-SHA256 of it, keyed by the token>}. */
    String session(long expiry) {
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(expiry));
    }

    boolean validSession(String cookie) {
        if (cookie == null) {
            return false;
        }
        int dot = cookie.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        byte[] presented;
        try {
            expiry = Long.parseLong(cookie.substring(0, dot));
            presented = Base64.getUrlDecoder().decode(cookie.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return expiry > clock.instant().getEpochSecond() && MessageDigest.isEqual(mac(expiry), presented);
    }

    private byte[] mac(long expiry) {
        return hmac(sessionKey, ("xray-web-session:" + expiry).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether this address used up its failed sign-ins for the current minute. */
    synchronized boolean throttled(String address) {
        long[] w = failedLogins.get(address);
        return w != null && clock.millis() - w[0] < 60_000 && w[1] >= FAILED_LOGINS_PER_MINUTE;
    }

    synchronized void failedLogin(String address) {
        long now = clock.millis();
        long[] w = failedLogins.get(address);
        if (w == null || now - w[0] >= 60_000) {
            failedLogins.put(address, new long[] {now, 1});
        } else {
            w[1]++;
        }
    }

    private boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static String pathAndQuery(Context ctx) {
        return ctx.queryString() == null ? ctx.path() : ctx.path() + "?" + ctx.queryString();
    }

    /** The request's address without its {@code token} parameter. */
    static String withoutToken(Context ctx) {
        String q = ctx.queryString();
        if (q == null) {
            return ctx.path();
        }
        String rest = Arrays.stream(q.split("&"))
                .filter(p -> !URLDecoder.decode(p.split("=", 2)[0], StandardCharsets.UTF_8)
                        .equals("token"))
                .collect(Collectors.joining("&"));
        return rest.isEmpty() ? ctx.path() : ctx.path() + "?" + rest;
    }

    /** Only a path on this server (no scheme, no host, no "//"): never an open redirect. */
    static String safeNext(String next) {
        if (next == null
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.contains("\\")
                || next.chars().anyMatch(c -> c < 0x20)) {
            return "/";
        }
        return next;
    }

    private static void loginPage(Context ctx, int status, String message) {
        String next = safeNext(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next"));
        gg.jte.output.StringOutput out = new gg.jte.output.StringOutput();
        Map<String, Object> params = new HashMap<>();
        params.put("message", message);
        params.put("next", next);
        PAGES.render("platform/login.jte", params, out);
        ctx.status(status).html(out.toString());
    }
}
