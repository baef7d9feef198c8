package io.xraydrift.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xraydrift.events.DriftAlert;
import io.xraydrift.events.Neighbour;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a finished demo run saw, as {@code demo --result FILE} writes it: patients by pseudonym with
 * their trajectory kind, every scored scan id, every alert. Patient identifiers are the
 * pseudonyms that left ingest, never the names the feed sent.
 */
public record DemoResult(Map<String, String> patients, Set<String> scored, List<Alert> alerts) {

    /** One alert: what it says and the scan ids of its evidence; {@code worse} for escalation or worsening. */
    public record Alert(
            String alertId,
            String patient,
            String kind,
            boolean worse,
            String scanId,
            String reason,
            List<String> evidence) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static DemoResult of(Map<String, String> kinds, Set<String> scored, List<DemoMonitor.Seen> seen) {
        List<Alert> alerts = seen.stream()
                .map(DemoMonitor.Seen::alert)
                .map(DemoResult::alert)
                .toList();
        return new DemoResult(new TreeMap<>(kinds), new TreeSet<>(scored), alerts);
    }

    private static Alert alert(DriftAlert a) {
        return new Alert(
                a.getAlertId(),
                a.getPatient(),
                a.getKind().name(),
                DemoCommand.worse(a.getKind()),
                a.getScanId(),
                a.getReason(),
                a.getEvidence().stream().map(Neighbour::getScanId).toList());
    }

    void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        JSON.writeValue(file.toFile(), this);
    }

    /** Reads a file {@link #write} wrote. */
    public static DemoResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), DemoResult.class);
    }
}
