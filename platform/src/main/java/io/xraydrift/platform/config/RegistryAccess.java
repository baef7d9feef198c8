package io.xraydrift.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a service authenticates to the schema registry and which certificates it trusts there: the
 * same settings reach Apicurio's serdes (schema lookups) and the registration step (Confluent API).
 *
 * @param trustStore         trust store for the registry's HTTPS certificate; null: the JVM's default
 * @param trustStoreType     its type ({@code PKCS12} or {@code JKS})
 * @param trustStorePassword its password (may be empty)
 * @param username           HTTP basic-auth user; null: no basic auth
 * @param password           HTTP basic-auth password
 * @param overrides          further {@code apicurio.registry.*} serde settings (OIDC client credentials, ...)
 */
public record RegistryAccess(
        Path trustStore,
        String trustStoreType,
        String trustStorePassword,
        String username,
        String password,
        Map<String, String> overrides) {

    public static final ConfigKey<Path> TRUSTSTORE = ConfigKey.path(
            "XRAY_REGISTRY_TRUSTSTORE",
            null,
            "JVM default",
            "trust store for an HTTPS registry (serdes and schema " + "registration)");
    public static final ConfigKey<String> TRUSTSTORE_TYPE = ConfigKey.string(
            "XRAY_REGISTRY_TRUSTSTORE_TYPE", "PKCS12", "type of `XRAY_REGISTRY_TRUSTSTORE`: `PKCS12` or `JKS`");
    public static final ConfigKey<String> TRUSTSTORE_PASSWORD = ConfigKey.of(
            "XRAY_REGISTRY_TRUSTSTORE_PASSWORD",
            "—",
            "password of `XRAY_REGISTRY_TRUSTSTORE`",
            (s, n) -> s.string(n, ""));
    public static final ConfigKey<Optional<String>> USERNAME = ConfigKey.optional(
            "XRAY_REGISTRY_USERNAME",
            "registry basic auth (with `XRAY_REGISTRY_PASSWORD`); `XRAY_REGISTRY_CLIENT_*` → any `apicurio.registry.*` "
                    + "serde setting (OIDC); see [docs/security.md](security.md)");
    public static final ConfigKey<Optional<String>> PASSWORD = ConfigKey.optional(
            "XRAY_REGISTRY_PASSWORD", "registry basic auth password (with `XRAY_REGISTRY_USERNAME`)");

    /** Plain: the JVM's trust, no credentials. */
    public static final RegistryAccess NONE = new RegistryAccess(null, "PKCS12", "", null, null, Map.of());

    public RegistryAccess {
        overrides = Map.copyOf(overrides);
        trustStorePassword = trustStorePassword == null ? "" : trustStorePassword;
    }

    public static RegistryAccess from(Settings s) {
        Path trustStore = TRUSTSTORE.from(s);
        if (trustStore != null && !Files.isReadable(trustStore)) {
            throw new ConfigException(TRUSTSTORE + "='" + trustStore + "' is not a readable file");
        }
        String type = TRUSTSTORE_TYPE.from(s);
        if (!type.equalsIgnoreCase("PKCS12") && !type.equalsIgnoreCase("JKS")) {
            throw new ConfigException(TRUSTSTORE_TYPE + "='" + type + "' is not PKCS12 or JKS");
        }
        Optional<String> user = USERNAME.from(s);
        Optional<String> password = PASSWORD.from(s);
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigException(USERNAME + " and " + PASSWORD + " go together: only "
                    + (user.isPresent() ? USERNAME : PASSWORD) + " is set");
        }
        RegistryAccess access = new RegistryAccess(
                trustStore,
                type.toUpperCase(Locale.ROOT),
                TRUSTSTORE_PASSWORD.from(s),
                user.orElse(null),
                password.orElse(null),
                s.registryClientOverrides());
        if (trustStore != null) {
            access.sslContext(); // a wrong password or type fails at start, naming the store
        }
        return access;
    }

    /** The Apicurio serde settings: trust store, basic auth, then the pass-through overrides. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> c = new HashMap<>();
        if (trustStore != null) {
            c.put("apicurio.registry.tls.truststore.location", trustStore.toString());
            c.put("apicurio.registry.tls.truststore.type", trustStoreType);
            c.put("apicurio.registry.tls.truststore.password", trustStorePassword);
        }
        if (username != null) {
            c.put("apicurio.registry.auth.username", username);
            c.put("apicurio.registry.auth.password", password);
        }
        overrides.forEach((k, v) -> c.put("apicurio.registry." + k, v));
        return c;
    }

    /** An HTTP client for the registry's REST APIs, trusting the configured store. */
    public HttpClient httpClient() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (trustStore != null) {
            b.sslContext(sslContext());
        }
        return b.build();
    }

    /** The {@code Authorization} header value for basic auth, if configured. */
    public Optional<String> authorization() {
        return username == null
                ? Optional.empty()
                : Optional.of("Basic "
                        + Base64.getEncoder()
                                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private SSLContext sslContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance(trustStoreType);
            store.load(in, trustStorePassword.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(
                    TRUSTSTORE + "='" + trustStore + "' cannot be loaded as " + trustStoreType + ": " + e.getMessage());
        }
    }

    /** Never prints the passwords. */
    @Override
    public String toString() {
        return "RegistryAccess[trustStore=" + trustStore + ", user=" + username + ", overrides=" + overrides.keySet()
                + "]";
    }
}
