package io.xraydrift.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One row of the configuration reference, declared once beside the keys it documents: in
 * {@code config-keys.tsv} in the config record's package ({@link #load}). The CLI generates
 * docs/operations.md's key table and each service's {@code --help} from these rows, and a test
 * fails when the guide's table differs or a key has no row.
 *
 * @param keys         the keys of the row (a trailing {@code *} is a prefix: every key under it)
 * @param defaultShown the default as the guide shows it (Markdown)
 * @param meaning      what the keys do (Markdown)
 */
public record ConfigDoc(List<String> keys, String defaultShown, String meaning) {

    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\([^)]+\\)");

    public ConfigDoc {
        keys = List.copyOf(keys);
        if (keys.isEmpty() || keys.stream().anyMatch(k -> !k.matches("XRAY_[A-Z0-9_]+\\*?"))) {
            throw new IllegalArgumentException("config keys are XRAY_ names: " + keys);
        }
    }

    /**
     * The rows in {@code config-keys.tsv} beside {@code owner}: one a line, keys (comma-separated),
     * default and meaning separated by tabs; lines starting with {@code #} are comments.
     */
    public static List<ConfigDoc> load(Class<?> owner) {
        try (var in = owner.getResourceAsStream("config-keys.tsv")) {
            if (in == null) {
                throw new IllegalStateException("no config-keys.tsv beside " + owner.getName());
            }
            List<ConfigDoc> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (cells.length != 3) {
                    throw new IllegalStateException(
                            owner.getName() + "'s config-keys.tsv: not keys, default and " + "meaning: " + line);
                }
                rows.add(new ConfigDoc(List.of(cells[0].split(",\\s*")), cells[1], cells[2]));
            }
            return List.copyOf(rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The row of the guide's Markdown table. */
    public String markdownRow() {
        return "| " + String.join(", ", keys.stream().map(k -> "`" + k + "`").toList()) + " | " + defaultShown + " | "
                + meaning + " |";
    }

    /** The row as a line of {@code --help}: keys, default in brackets, meaning; no Markdown. */
    public String helpLine() {
        return "  " + String.join(", ", keys) + " [" + plain(defaultShown) + "]: " + plain(meaning);
    }

    static String plain(String markdown) {
        return LINK.matcher(markdown).replaceAll("$1").replace("`", "").replace("**", "");
    }
}
