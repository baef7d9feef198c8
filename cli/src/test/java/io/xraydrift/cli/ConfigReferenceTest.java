package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.xraydrift.cli.ops.ConfigReference;
import io.xraydrift.cli.ops.ServiceCommands;
import io.xraydrift.platform.config.ConfigDoc;
import picocli.CommandLine;

/**
 * docs/operations.md's key table is the one {@link ConfigReference} generates from the config
 * records' rows, and each service's --help lists its rows. To bring the guide up to date after a
 * change to a row: {@code mvn -pl cli test -Dtest=ConfigReferenceTest -Dxray.regenerate.docs=true}.
 */
class ConfigReferenceTest {

    private static final Path GUIDE = Path.of("..", "docs", "operations.md");
    private static final String FIRST = "| key | default | meaning |\n";
    private static final String AFTER = "| **local stack** | | |\n";

    @Test
    void theGuidesKeyTableIsTheGeneratedOne() throws Exception {
        String guide = Files.readString(GUIDE);
        int from = guide.indexOf(FIRST);
        int to = guide.indexOf(AFTER);
        assertTrue(from >= 0 && to > from, "docs/operations.md has the key table, then the local stack rows");
        String expected = ConfigReference.markdown();
        if (Boolean.getBoolean("xray.regenerate.docs")) {
            Files.writeString(GUIDE, guide.substring(0, from) + expected + guide.substring(to));
            guide = Files.readString(GUIDE);
            to = from + expected.length();
        }
        assertEquals(expected, guide.substring(from, to),
                "docs/operations.md's key table differs from the config records' DOCS; regenerate it with "
                        + "-Dxray.regenerate.docs=true (see this test's comment)");
    }

    @Test
    void eachServicesHelpListsItsRowsAndTheCommonOnes() {
        Map<Class<?>, List<ConfigDoc>> services = Map.of(
                ServiceCommands.Ingest.class, io.xraydrift.ingest.IngestConfig.DOCS,
                ServiceCommands.Embedder.class, io.xraydrift.embedder.EmbedderConfig.DOCS,
                ServiceCommands.Indexer.class, io.xraydrift.indexer.IndexerConfig.DOCS,
                ServiceCommands.DriftMonitor.class, io.xraydrift.drift.DriftMonitorConfig.DOCS,
                ServiceCommands.AlertOut.class, io.xraydrift.alertout.AlertOutConfig.DOCS);
        List<String> missing = new ArrayList<>();
        services.forEach((command, docs) -> {
            // Help wraps lines, at spaces and inside long words: compare without any white space.
            String help = new CommandLine(command).getUsageMessage().replaceAll("\\s+", "");
            List<ConfigDoc> all = new ArrayList<>(docs);
            all.addAll(io.xraydrift.platform.config.ServiceConfig.DOCS);
            for (ConfigDoc d : all) {
                if (!help.contains(d.helpLine().replaceAll("\\s+", ""))) {
                    missing.add(command.getSimpleName() + ": " + d.keys());
                }
            }
        });
        assertEquals(List.of(), missing);
    }

    @Test
    void everyRowNamesKeysTheServicesRead() throws Exception {
        List<String> known = new ArrayList<>(List.of("XRAY_LOG_LEVEL", // read by the log4j2 configuration
                io.xraydrift.platform.config.Settings.KAFKA_CLIENT_ENV_PREFIX + "*"));
        for (Class<?> c : List.of(io.xraydrift.ingest.IngestConfig.class, io.xraydrift.embedder.EmbedderConfig.class,
                io.xraydrift.indexer.IndexerConfig.class, io.xraydrift.drift.DriftMonitorConfig.class,
                io.xraydrift.alertout.AlertOutConfig.class, io.xraydrift.platform.config.ServiceConfig.class,
                io.xraydrift.platform.config.KafkaSettings.class, io.xraydrift.platform.config.Settings.class,
                io.xraydrift.platform.config.RegistryAccess.class)) {
            known.addAll(keys(c));
        }
        List<String> unknown = new ArrayList<>();
        List<ConfigDoc> all = new ArrayList<>(io.xraydrift.platform.config.ServiceConfig.DOCS);
        ConfigReference.markdown(); // every service's rows load
        for (List<ConfigDoc> docs : List.of(io.xraydrift.ingest.IngestConfig.DOCS,
                io.xraydrift.embedder.EmbedderConfig.DOCS, io.xraydrift.indexer.IndexerConfig.DOCS,
                io.xraydrift.drift.DriftMonitorConfig.DOCS, io.xraydrift.alertout.AlertOutConfig.DOCS)) {
            all.addAll(docs);
        }
        all.forEach(d -> d.keys().stream().filter(k -> !known.contains(k)).forEach(unknown::add));
        assertEquals(List.of(), unknown, "config-keys.tsv rows naming keys no service declares");
    }

    /** The XRAY_* names a class declares as string constants. */
    static List<String> keys(Class<?> type) throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (java.lang.reflect.Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (java.lang.reflect.Modifier.isStatic(m) && java.lang.reflect.Modifier.isFinal(m)
                    && f.getType() == String.class) {
                f.setAccessible(true);
                String v = (String) f.get(null);
                if (v != null && v.matches("XRAY_[A-Z0-9_]+")) {
                    keys.add(v);
                }
            }
        }
        return keys;
    }

    @Test
    void everyKeyAConfigRecordReadsHasARowOfItsService() throws Exception {
        Map<Class<?>, List<ConfigDoc>> records = Map.of(
                io.xraydrift.ingest.IngestConfig.class, io.xraydrift.ingest.IngestConfig.DOCS,
                io.xraydrift.embedder.EmbedderConfig.class, io.xraydrift.embedder.EmbedderConfig.DOCS,
                io.xraydrift.indexer.IndexerConfig.class, io.xraydrift.indexer.IndexerConfig.DOCS,
                io.xraydrift.drift.DriftMonitorConfig.class, io.xraydrift.drift.DriftMonitorConfig.DOCS,
                io.xraydrift.alertout.AlertOutConfig.class, io.xraydrift.alertout.AlertOutConfig.DOCS,
                io.xraydrift.platform.config.ServiceConfig.class, io.xraydrift.platform.config.ServiceConfig.DOCS,
                io.xraydrift.platform.config.KafkaSettings.class, io.xraydrift.platform.config.ServiceConfig.DOCS);
        TreeSet<String> missing = new TreeSet<>();
        for (var e : records.entrySet()) {
            List<String> documented = java.util.stream.Stream.concat(e.getValue().stream(),
                    io.xraydrift.platform.config.ServiceConfig.DOCS.stream()).flatMap(d -> d.keys().stream()).toList();
            for (String key : keys(e.getKey())) {
                if (!documented.contains(key)) {
                    missing.add(key + " (" + e.getKey().getSimpleName() + ")");
                }
            }
        }
        assertEquals(List.of(), List.copyOf(missing));
    }
}
