package io.xraydrift.platform.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One configuration key, declared once: its name, how its value is read (type, default, bounds)
 * and what the guide and {@code --help} say of it, as Kafka's {@code ConfigDef.define(...)} does.
 * A service's config record reads its values with {@link #from}; the CLI generates
 * docs/operations.md's key table and each service's {@code --help} from {@link #doc()}, so the
 * default the service applies and the one the guide shows come from the same declaration.
 *
 * <pre>{@code
 * public static final ConfigKey<Integer> K = ConfigKey.integer("XRAY_INDEXER_K", 36, 1, 1000,
 *         "labelled neighbours per scan");
 * int k = K.from(settings);
 * }</pre>
 *
 * @param <T> the type of its value
 */
public final class ConfigKey<T> {

    /** How a key's value is read from the settings; errors name the key ({@link ConfigException}). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Settings settings, String name);
    }

    private final ConfigDoc doc;
    private final Reader<T> reader;

    private ConfigKey(String name, String shownDefault, String meaning, Reader<T> reader) {
        this.doc = new ConfigDoc(List.of(name), shownDefault, meaning); // checks the name
        this.reader = reader;
    }

    /** An integer in [min, max]. */
    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String meaning) {
        return new ConfigKey<>(name, code(defaultValue), meaning, (s, n) -> s.integer(n, defaultValue, min, max));
    }

    /** A number in [min, max]. */
    public static ConfigKey<Double> decimal(String name, double defaultValue, double min, double max, String meaning) {
        return new ConfigKey<>(
                name, code(plain(defaultValue)), meaning, (s, n) -> s.decimal(n, defaultValue, min, max));
    }

    /** {@code true} or {@code false} (also yes/no, on/off, 1/0). */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String meaning) {
        return new ConfigKey<>(name, code(defaultValue), meaning, (s, n) -> s.bool(n, defaultValue));
    }

    /** A TCP port (0 picks a free one where the service allows it). */
    public static ConfigKey<Integer> port(String name, int defaultValue, String meaning) {
        return new ConfigKey<>(name, code(defaultValue), meaning, (s, n) -> s.port(n, defaultValue));
    }

    /** A duration in [min, max], written as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601. */
    public static ConfigKey<Duration> duration(
            String name, Duration defaultValue, Duration min, Duration max, String meaning) {
        return new ConfigKey<>(
                name, code(text(defaultValue)), meaning, (s, n) -> s.duration(n, defaultValue, min, max));
    }

    /** Text, as it is. */
    public static ConfigKey<String> string(String name, String defaultValue, String meaning) {
        return new ConfigKey<>(name, code(defaultValue), meaning, (s, n) -> s.string(n, defaultValue));
    }

    /** Text with no default: empty when unset. */
    public static ConfigKey<Optional<String>> optional(String name, String meaning) {
        return new ConfigKey<>(name, "—", meaning, (s, n) -> s.optional(n));
    }

    /** An http(s) URL with a host, or none when unset (the feature it points at is off). */
    public static ConfigKey<Optional<URI>> optionalUrl(String name, String shownDefault, String meaning) {
        return new ConfigKey<>(
                name, shownDefault, meaning, (s, n) -> s.optional(n).map(v -> s.url(n, v)));
    }

    /** A file or folder, or none when unset. */
    public static ConfigKey<Optional<Path>> optionalPath(String name, String shownDefault, String meaning) {
        return new ConfigKey<>(
                name, shownDefault, meaning, (s, n) -> s.optional(n).map(Path::of));
    }

    /** An http(s) URL with a host. */
    public static ConfigKey<URI> url(String name, String defaultValue, String meaning) {
        return new ConfigKey<>(name, code(defaultValue), meaning, (s, n) -> s.url(n, defaultValue));
    }

    /** A file or folder; {@code shownDefault} says where the default lies (it may depend on the machine). */
    public static ConfigKey<Path> path(String name, Path defaultValue, String shownDefault, String meaning) {
        return new ConfigKey<>(name, shownDefault, meaning, (s, n) -> s.path(n, defaultValue));
    }

    /** One of an enum's constants, case-insensitively ({@code -} for {@code _}). */
    public static <E extends Enum<E>> ConfigKey<E> choice(String name, E defaultValue, String meaning) {
        return new ConfigKey<>(
                name,
                code(defaultValue.name().toLowerCase(Locale.ROOT).replace('_', '-')),
                meaning,
                (s, n) -> s.choice(n, defaultValue));
    }

    /**
     * A bearer token ({@link Settings#apiToken}): the demo token in demo mode; outside it required,
     * at least {@value Settings#MIN_TOKEN_LENGTH} characters and not the demo token. {@code why}
     * says, when it is missing, what needs it.
     */
    public static ConfigKey<String> apiToken(String name, String why, String meaning) {
        return new ConfigKey<>(
                name,
                "required unless demo (≥ " + Settings.MIN_TOKEN_LENGTH + " characters, not the demo token)",
                meaning,
                (s, n) -> s.apiToken(n, why));
    }

    /** A secret ({@link Settings#secret}): required outside demo mode, {@code demoValue} in demo mode. */
    public static ConfigKey<String> secret(String name, String demoValue, String why, String meaning) {
        return new ConfigKey<>(name, "required unless demo", meaning, (s, n) -> s.secret(n, demoValue, why));
    }

    /**
     * A key read some other way (a secret, a default that depends on another key, a list): the
     * reader applies the default, and {@code shownDefault} says it for the guide.
     */
    public static <T> ConfigKey<T> of(String name, String shownDefault, String meaning, Reader<T> reader) {
        return new ConfigKey<>(name, shownDefault, meaning, Objects.requireNonNull(reader));
    }

    /**
     * A key the guide documents that no config record reads through a declaration: a prefix
     * ({@code XRAY_KAFKA_CLIENT_*}, passed through) or one read by the launcher or the topic setup.
     */
    public static ConfigKey<Void> documented(String name, String shownDefault, String meaning) {
        return new ConfigKey<>(name, shownDefault, meaning, null);
    }

    /** The key's name, e.g. {@code XRAY_INDEXER_K}. */
    public String name() {
        return doc.keys().get(0);
    }

    /** Its value in {@code settings}, or its default; a bad value is a {@link ConfigException} naming the key. */
    public T from(Settings settings) {
        if (reader == null) {
            throw new IllegalStateException(name() + " is documented here, not read through its declaration");
        }
        return reader.read(settings, name());
    }

    /** The same key with its default shown differently in the guide (e.g. when it follows another key). */
    public ConfigKey<T> shownAs(String shownDefault) {
        return new ConfigKey<>(name(), shownDefault, doc.meaning(), reader);
    }

    /** Its row of the configuration reference. */
    public ConfigDoc doc() {
        return doc;
    }

    /** The name: keys concatenate into messages as their names. */
    @Override
    public String toString() {
        return name();
    }

    private static String code(Object value) {
        return "`" + value + "`";
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** A duration as the keys take it: the largest whole unit of 7d, 2h, 5m, 30s, 250ms. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0 || ms == 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
