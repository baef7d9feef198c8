package io.xraydrift.cli;

import io.xraydrift.cli.ops.LocalRun;
import io.xraydrift.drift.DriftMonitorConfig;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.ingest.IngestConfig;
import io.xraydrift.platform.config.Settings;
import io.xraydrift.stack.LocalStack;
import io.xraydrift.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The pipeline's services as separate JVMs from the CLI jar, each from its own {@code main}. */
final class PipelineProcesses {

    private PipelineProcesses() {}

    /**
     * The settings every service of a pipeline IT shares: the stack's (brokers, registry, replication),
     * HTTP on the loopback, demo mode, and a short consumer session (6 s, heartbeat 1 s), so that a
     * killed member's partitions move within the test. Mutable: a test adds its own.
     */
    static Map<String, String> settings(LocalStack stack) {
        Map<String, String> common = new HashMap<>(LocalRun.settings(stack));
        common.put("XRAY_HTTP_HOST", "127.0.0.1");
        common.put(Settings.DEMO_MODE.name(), "true");
        common.put("XRAY_KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000");
        common.put("XRAY_KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000");
        return common;
    }

    /**
     * The pipeline's services (any of ingest, embedder, indexer, drift-monitor, alert-out, in that order) as
     * processes: each with {@code settings.apply(name)}, its state under {@code work}, the CPU for
     * the embedder, instance id {@code instancePrefix-name}, and HTTP on port 0 (the tests never call
     * them over HTTP: a port picked here and bound later can be taken in between — once it was, by
     * an ephemeral source port of some Kafka connection, and the embedder never started).
     */
    static Map<String, ServiceProcess> of(
            Path work, String instancePrefix, List<String> names, Function<String, Map<String, String>> settings) {
        Path jar = Path.of("target", "xray-drift.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the cli module's package phase builds it");
        }
        Map<String, String[]> known = Map.of(
                "ingest", new String[] {"io.xraydrift.ingest.IngestApp", IngestConfig.STATE_DIR.name(), "ingest-state"},
                "embedder", new String[] {"io.xraydrift.embedder.EmbedderApp", "XRAY_EMBEDDER_DEVICE", null},
                "indexer",
                        new String[] {
                            "io.xraydrift.indexer.IndexerApp", IndexerConfig.SNAPSHOT_DIR.name(), "indexer-snapshots"
                        },
                "drift-monitor",
                        new String[] {
                            "io.xraydrift.drift.DriftMonitorApp", DriftMonitorConfig.STATE_DIR.name(), "drift-state"
                        },
                "alert-out", new String[] {"io.xraydrift.alertout.AlertOutApp", null, null});
        Map<String, ServiceProcess> out = new LinkedHashMap<>();
        for (String name : names) {
            String[] k = known.get(name);
            Map<String, String> env = new HashMap<>(settings.apply(name));
            if (k[1] != null) {
                env.put(k[1], k[2] == null ? "cpu" : work.resolve(k[2]).toString());
            }
            env.put("XRAY_INSTANCE_ID", instancePrefix + "-" + name);
            env.put("XRAY_HTTP_PORT", "0");
            out.put(name, new ServiceProcess(name, k[0], jar.toString(), env, work));
        }
        return out;
    }
}
