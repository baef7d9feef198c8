package io.xraydrift.platform.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Raw configuration: environment variables, over an optional properties file named by
 * {@value #CONFIG_FILE}. Config records read it through the typed getters here, each with a named
 * key and an explicit default; a value that does not parse or is out of range fails with the
 * key's name and the value.
 */
public final class Settings {

    /** Environment variable naming an optional properties file (same keys as the environment). */
    public static final String CONFIG_FILE = "XRAY_CONFIG_FILE";
    /** Environment prefix for Kafka client settings passed through verbatim, e.g. XRAY_KAFKA_CLIENT_SECURITY_PROTOCOL. */
    public static final String KAFKA_CLIENT_ENV_PREFIX = "XRAY_KAFKA_CLIENT_";
    /** Properties-file prefix for Kafka client settings passed through verbatim, e.g. kafka.sasl.jaas.config. */
    public static final String KAFKA_CLIENT_FILE_PREFIX = "kafka.";
    /** Environment prefix for registry client settings, e.g. XRAY_REGISTRY_CLIENT_AUTH_CLIENT_ID → apicurio.registry.auth.client.id. */
    public static final String REGISTRY_CLIENT_ENV_PREFIX = "XRAY_REGISTRY_CLIENT_";
    /** Properties-file prefix for registry client settings, e.g. registry.tls.verify-host. */
    public static final String REGISTRY_CLIENT_FILE_PREFIX = "registry.";

    /** Environment variable allowing built-in demo secrets; never for real patients. */
    public static final ConfigKey<Boolean> DEMO_MODE = ConfigKey.bool(
            "XRAY_DEMO_MODE", false, "allows built-in demo secrets and tokens (never for real patients)");
    /** The bearer token HTTP APIs accept in demo mode. */
    public static final String DEMO_API_TOKEN = "demo-token";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The process environment over the file named by {@value #CONFIG_FILE}, if set. */
    public static Settings load() {
        return fromEnvironment(System.getenv());
    }

    /**
     * As {@link #load()}, with {@code file} (when not null) as the settings file instead of the one
     * {@value #CONFIG_FILE} names: what a command's {@code --config FILE} reads.
     */
    public static Settings load(Path file) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (file != null) {
            env.put(CONFIG_FILE, file.toString());
        }
        return fromEnvironment(env);
    }

    /** As {@link #load()} but from the given environment (tests, embedded runs). */
    public static Settings fromEnvironment(Map<String, String> env) {
        Map<String, String> merged = new HashMap<>();
        String file = env.get(CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            merged.putAll(readFile(Path.of(file.trim())));
        }
        merged.putAll(env);
        return new Settings(merged);
    }

    /** Exactly these values (tests). */
    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /** A copy with these values added or replaced. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(overrides);
        return new Settings(merged);
    }

    public Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public String required(String key, String why) {
        return optional(key).orElseThrow(() -> new ConfigException(key + " is not set: " + why));
    }

    /** True when {@code XRAY_DEMO_MODE} is set. */
    public boolean demoMode() {
        return DEMO_MODE.from(this);
    }

    /** Shortest API token accepted outside demo mode. */
    public static final int MIN_TOKEN_LENGTH = 24;

    /**
     * A bearer token: the demo token in demo mode; outside it required, at least
     * {@value #MIN_TOKEN_LENGTH} characters and not the demo token. Errors name the key and the
     * length, never the value.
     */
    public String apiToken(String key, String why) {
        String token = secret(key, DEMO_API_TOKEN, why);
        if (!demoMode()) {
            if (token.equals(DEMO_API_TOKEN)) {
                throw new ConfigException(key + " is the built-in demo token; outside " + DEMO_MODE
                        + " choose your own (e.g. head -c 32 /dev/urandom | base64)");
            }
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new ConfigException(key + " is " + token.length() + " characters long, minimum is "
                        + MIN_TOKEN_LENGTH + " (e.g. head -c 32 /dev/urandom | base64)");
            }
        }
        return token;
    }

    /** A secret: required outside demo mode ({@code why} says what needs it), a built-in value in demo mode. */
    public String secret(String key, String demoValue, String why) {
        return demoMode() ? string(key, demoValue) : required(key, why + " (set " + DEMO_MODE + "=true for a demo)");
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int v;
        try {
            v = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "='" + raw.get() + "' is not an integer");
        }
        if (v < min || v > max) {
            throw new ConfigException(key + "=" + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    public double decimal(String key, double defaultValue, double min, double max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        double v;
        try {
            v = Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "='" + raw.get() + "' is not a number");
        }
        if (!(v >= min && v <= max)) {
            throw new ConfigException(key + "=" + raw.get() + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(key + "='" + raw.get() + "' is not a boolean (true/false)");
        };
    }

    public int port(String key, int defaultValue) {
        return integer(key, defaultValue, 0, 65_535);
    }

    /** A duration as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT30S}). */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration d = parseDuration(key, raw.get());
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key + "=" + raw.get() + " is outside [" + min + ", " + max + "]");
        }
        return d;
    }

    public URI url(String key, String defaultValue) {
        String raw = string(key, defaultValue);
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new ConfigException(key + "='" + raw + "' is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key + "='" + raw + "' is not a URL: " + e.getMessage());
        }
    }

    public Path path(String key, Path defaultValue) {
        return optional(key).map(Path::of).orElse(defaultValue);
    }

    /** One of the enum's constants, case-insensitively. */
    public <E extends Enum<E>> E choice(String key, E defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(
                    defaultValue.getDeclaringClass(),
                    raw.get().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + "='" + raw.get() + "' is not one of "
                    + Arrays.toString(defaultValue.getDeclaringClass().getEnumConstants())
                            .toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Kafka client settings passed through unchanged: environment keys under
     * {@value #KAFKA_CLIENT_ENV_PREFIX} (lower-cased, '_' to '.') and properties-file keys under
     * {@value #KAFKA_CLIENT_FILE_PREFIX} (verbatim after the prefix).
     */
    public Map<String, String> kafkaClientOverrides() {
        return passThrough(KAFKA_CLIENT_ENV_PREFIX, KAFKA_CLIENT_FILE_PREFIX);
    }

    /**
     * Registry client (Apicurio serde) settings passed through: environment keys under
     * {@value #REGISTRY_CLIENT_ENV_PREFIX} (lower-cased, '_' to '.') and properties-file keys under
     * {@value #REGISTRY_CLIENT_FILE_PREFIX}, both relative to {@code apicurio.registry.}.
     */
    public Map<String, String> registryClientOverrides() {
        return passThrough(REGISTRY_CLIENT_ENV_PREFIX, REGISTRY_CLIENT_FILE_PREFIX);
    }

    private Map<String, String> passThrough(String envPrefix, String filePrefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(envPrefix) && k.length() > envPrefix.length()) {
                out.put(k.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            } else if (k.startsWith(filePrefix) && k.length() > filePrefix.length()) {
                out.put(k.substring(filePrefix.length()), v);
            }
        });
        return out;
    }

    static Duration parseDuration(String key, String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            }
            int split = 0;
            while (split < s.length() && (Character.isDigit(s.charAt(split)))) {
                split++;
            }
            if (split == 0) {
                throw new NumberFormatException();
            }
            long n = Long.parseLong(s.substring(0, split));
            return switch (s.substring(split)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigException(key + "='" + raw + "' is not a duration (e.g. 250ms, 30s, 5m, 2h, 7d, PT30S)");
        }
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException(CONFIG_FILE + "='" + file + "' cannot be read: " + e.getMessage(), e);
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
