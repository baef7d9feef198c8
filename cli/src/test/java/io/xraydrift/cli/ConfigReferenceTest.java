package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xraydrift.cli.ops.ConfigReference;
import io.xraydrift.cli.ops.ServiceCommands;
import io.xraydrift.platform.config.ConfigDoc;
import io.xraydrift.platform.config.ConfigKey;
import io.xraydrift.platform.config.KafkaSettings;
import io.xraydrift.platform.config.RegistryAccess;
import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.config.Settings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
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
        assertEquals(
                expected,
                guide.substring(from, to),
                "docs/operations.md's key table differs from the key declarations; regenerate it with "
                        + "-Dxray.regenerate.docs=true (see this test's comment)");
    }

    @Test
    void eachServicesHelpListsItsRowsAndTheCommonOnes() {
        Map<String, Class<?>> commands = Map.of(
                "ingest",
                ServiceCommands.Ingest.class,
                "embedder",
                ServiceCommands.Embedder.class,
                "indexer",
                ServiceCommands.Indexer.class,
                "drift-monitor",
                ServiceCommands.DriftMonitor.class,
                "alert-out",
                ServiceCommands.AlertOut.class);
        List<String> missing = new ArrayList<>();
        for (ConfigReference.Section section : ConfigReference.SERVICES) {
            Class<?> command = commands.get(section.command());
            // Help wraps lines, at spaces and inside long words: compare without any white space.
            String help = new CommandLine(command).getUsageMessage().replaceAll("\\s+", "");
            List<ConfigDoc> all = new ArrayList<>(section.rows());
            all.addAll(ConfigReference.common());
            for (ConfigDoc d : all) {
                if (!help.contains(d.helpLine().replaceAll("\\s+", ""))) {
                    missing.add(command.getSimpleName() + ": " + d.keys());
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyKeyAConfigRecordDeclaresIsInItsSectionOfTheReference() throws Exception {
        Map<Class<?>, List<ConfigKey<?>>> records = new LinkedHashMap<>();
        for (ConfigReference.Section section : ConfigReference.SERVICES) {
            records.put(section.config(), section.keys());
        }
        for (Class<?> common :
                List.of(ServiceConfig.class, KafkaSettings.class, RegistryAccess.class, Settings.class)) {
            records.put(common, ServiceConfig.COMMON_KEYS);
        }
        TreeSet<String> missing = new TreeSet<>();
        for (var e : records.entrySet()) {
            for (ConfigKey<?> key : declared(e.getKey())) {
                if (!e.getValue().contains(key) && !ServiceConfig.COMMON_KEYS.contains(key)) {
                    missing.add(key.name() + " (" + e.getKey().getSimpleName() + ")");
                }
            }
        }
        assertEquals(List.of(), List.copyOf(missing), "keys declared but not in the reference");
    }

    @Test
    void noConfigRecordNamesAKeyOutsideADeclaration() throws Exception {
        List<String> bare = new ArrayList<>();
        for (ConfigReference.Section section : ConfigReference.SERVICES) {
            for (Field f : section.config().getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                    f.setAccessible(true);
                    String v = (String) f.get(null);
                    if (v != null && v.matches("XRAY_[A-Z0-9_]+")) {
                        bare.add(section.config().getSimpleName() + "." + f.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), bare, "keys named as strings: declare them as ConfigKeys (name, default, meaning)");
    }

    /** The keys a class declares as constants. */
    static List<ConfigKey<?>> declared(Class<?> type) throws IllegalAccessException {
        List<ConfigKey<?>> keys = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == ConfigKey.class) {
                f.setAccessible(true);
                keys.add((ConfigKey<?>) f.get(null));
            }
        }
        return keys;
    }
}
