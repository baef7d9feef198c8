package io.xraydrift.platform.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One row of the configuration reference, made from a key's declaration ({@link ConfigKey#doc()}).
 * The CLI generates docs/operations.md's key table and each service's {@code --help} from these
 * rows, and a test fails when the guide's table differs or a declared key has no row.
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
