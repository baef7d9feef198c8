package io.xraydrift.cli.ops;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.platform.config.ConfigDoc;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The configuration reference, generated from the key declarations ({@link ConfigKey}) each config
 * record reads its values with: the key table of docs/operations.md ({@link #markdown()}, checked
 * by a test) and the "Keys" part of each service command's {@code --help} ({@link Keys}, its
 * {@code modelTransformer}). A key's name, default and meaning are written once, in its
 * declaration.
 */
public final class ConfigReference {

    /** A service's part of the reference: its heading in the guide, its command, its config record and its keys. */
    public record Section(String heading, String command, Class<?> config, List<ConfigKey<?>> keys, String note) {

        /** The rows of its keys. */
        public List<ConfigDoc> rows() {
            return keys.stream().map(ConfigKey::doc).toList();
        }
    }

    /** The services, in the guide's order. */
    public static final List<Section> SERVICES = List.of(
            new Section("ingest", "ingest", IngestConfig.class, IngestConfig.KEYS, ""),
            new Section("embedder", "embedder", EmbedderConfig.class, EmbedderConfig.KEYS, ""),
            new Section("indexer", "indexer", IndexerConfig.class, IndexerConfig.KEYS, ""),
            new Section("drift monitor", "drift-monitor", DriftMonitorConfig.class, DriftMonitorConfig.KEYS, ""),
            new Section("alert-out", "alert-out", AlertOutConfig.class, AlertOutConfig.KEYS, "(one peer at least)"));

    private ConfigReference() {}

    /** The rows of the keys every service reads. */
    public static List<ConfigDoc> common() {
        return ServiceConfig.COMMON_KEYS.stream().map(ConfigKey::doc).toList();
    }

    /** The guide's key table: the keys every service reads, then each service's. */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        common().forEach(d -> out.append(d.markdownRow()).append('\n'));
        for (Section s : SERVICES) {
            out.append("| **")
                    .append(s.heading())
                    .append("** | | ")
                    .append(s.note().isEmpty() ? "" : s.note() + " ")
                    .append("|\n");
            s.rows().forEach(d -> out.append(d.markdownRow()).append('\n'));
        }
        return out.toString();
    }

    /**
     * Appends the keys of the service whose command it transforms (found by the command's name),
     * then the common ones, to the command's description.
     */
    public static final class Keys implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            Section section = SERVICES.stream()
                    .filter(s -> s.command().equals(spec.name()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no config section for command " + spec.name()));
            List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
            lines.add("");
            lines.add("Keys (default in brackets):");
            section.rows().forEach(d -> lines.add(d.helpLine()));
            lines.add("Common to every service:");
            common().forEach(d -> lines.add(d.helpLine()));
            spec.usageMessage().description(lines.toArray(String[]::new));
            return spec;
        }
    }
}
