package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.xraydrift.cli.ops.ServiceCommands;
import picocli.CommandLine;

/**
 * Every configuration key a service declares (its config record's {@code XRAY_*} constants) is in
 * docs/operations.md and in that service's {@code --help}: the three drifted apart before.
 */
class ConfigKeysDocumentedTest {

    /** Each service's command and the classes that declare its keys. */
    private static final Map<Class<?>, List<Class<?>>> SERVICES = Map.of(
            ServiceCommands.Ingest.class, List.of(io.xraydrift.ingest.IngestConfig.class),
            ServiceCommands.Embedder.class, List.of(io.xraydrift.embedder.EmbedderConfig.class),
            ServiceCommands.Indexer.class, List.of(io.xraydrift.indexer.IndexerConfig.class),
            ServiceCommands.DriftMonitor.class, List.of(io.xraydrift.drift.DriftMonitorConfig.class),
            ServiceCommands.AlertOut.class, List.of(io.xraydrift.alertout.AlertOutConfig.class));
    private static final List<Class<?>> COMMON = List.of(io.xraydrift.platform.config.ServiceConfig.class,
            io.xraydrift.platform.config.KafkaSettings.class);

    static List<String> keys(Class<?> type) throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
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
    void everyKeyIsInTheOperationsGuideAndInItsServicesHelp() throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        TreeSet<String> missing = new TreeSet<>();
        for (var e : SERVICES.entrySet()) {
            String help = new CommandLine(e.getKey()).getUsageMessage();
            for (Class<?> config : e.getValue()) {
                for (String key : keys(config)) {
                    if (!guide.contains("`" + key + "`") && !guide.contains(key + "`")) {
                        missing.add(key + " not in docs/operations.md");
                    }
                    if (!help.contains(key)) {
                        missing.add(key + " not in " + e.getKey().getSimpleName() + " --help");
                    }
                }
            }
            for (Class<?> common : COMMON) {
                for (String key : keys(common)) {
                    if (!guide.contains(key)) {
                        missing.add(key + " not in docs/operations.md");
                    }
                }
            }
        }
        assertEquals(List.of(), List.copyOf(missing));
    }
}
