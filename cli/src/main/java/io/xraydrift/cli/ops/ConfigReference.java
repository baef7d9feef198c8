package io.xraydrift.cli.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.xraydrift.alertout.AlertOutConfig;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.embedder.EmbedderConfig;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.platform.config.ConfigDoc;
import io.xraydrift.platform.config.ServiceConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The configuration reference, generated from the rows each config record declares
 * ({@code DOCS}): the key table of docs/operations.md ({@link #markdown()}, checked by a test) and
 * the "Keys" part of each service command's {@code --help} (its {@code modelTransformer}).
 */
public final class ConfigReference {

    /** Each service's rows under its heading in the guide, in the guide's order. */
    static final Map<String, List<ConfigDoc>> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("ingest", IngestConfig.DOCS);
        SERVICES.put("embedder", EmbedderConfig.DOCS);
        SERVICES.put("indexer", IndexerConfig.DOCS);
        SERVICES.put("drift monitor", DriftMonitorConfig.DOCS);
        SERVICES.put("alert-out", AlertOutConfig.DOCS);
    }

    private static final Map<String, String> NOTES = Map.of("alert-out", "(one peer at least)");

    private ConfigReference() {
    }

    /** The guide's key table: the keys every service reads, then each service's. */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        ServiceConfig.DOCS.forEach(d -> out.append(d.markdownRow()).append('\n'));
        SERVICES.forEach((name, docs) -> {
            out.append("| **").append(name).append("** | | ").append(NOTES.containsKey(name) ? NOTES.get(name) + " " : "")
                    .append("|\n");
            docs.forEach(d -> out.append(d.markdownRow()).append('\n'));
        });
        return out.toString();
    }

    /** The help lines of a service's keys, then of the common ones. */
    static List<String> help(List<ConfigDoc> docs) {
        List<String> lines = new ArrayList<>(List.of("", "Keys (default in brackets):"));
        docs.forEach(d -> lines.add(d.helpLine()));
        lines.add("Common to every service:");
        ServiceConfig.DOCS.forEach(d -> lines.add(d.helpLine()));
        return lines;
    }

    /** Appends a service's keys to its command's description. */
    private abstract static class Keys implements CommandLine.IModelTransformer {
        private final List<ConfigDoc> docs;

        Keys(List<ConfigDoc> docs) {
            this.docs = docs;
        }

        @Override
        public CommandSpec transform(CommandSpec spec) {
            List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
            lines.addAll(help(docs));
            spec.usageMessage().description(lines.toArray(String[]::new));
            return spec;
        }
    }

    public static final class IngestKeys extends Keys {
        public IngestKeys() {
            super(IngestConfig.DOCS);
        }
    }

    public static final class EmbedderKeys extends Keys {
        public EmbedderKeys() {
            super(EmbedderConfig.DOCS);
        }
    }

    public static final class IndexerKeys extends Keys {
        public IndexerKeys() {
            super(IndexerConfig.DOCS);
        }
    }

    public static final class DriftMonitorKeys extends Keys {
        public DriftMonitorKeys() {
            super(DriftMonitorConfig.DOCS);
        }
    }

    public static final class AlertOutKeys extends Keys {
        public AlertOutKeys() {
            super(AlertOutConfig.DOCS);
        }
    }
}
