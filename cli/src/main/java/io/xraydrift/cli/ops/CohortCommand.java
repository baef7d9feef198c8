package io.xraydrift.cli.ops;

import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.phantoms.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The labelled reference cohort: {@code cohort load} sends a labelled folder through ingest. */
@Command(
        name = "cohort",
        mixinStandardHelpOptions = true,
        subcommands = CohortCommand.Load.class,
        description = "The labelled reference cohort the indexer scores against.")
public final class CohortCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: cohort load --data DIR");
    }

    /** Uploads a labelled folder to ingest as reference scans. */
    @Command(
            name = "load",
            mixinStandardHelpOptions = true,
            description = {
                "Loads a labelled folder as reference scans through ingest's POST /scans.",
                "DATA has manifest.csv (file,patient,level,severity,acquired_at,view,...): each row is uploaded with "
                        + "its patient id (pseudonymised by ingest), acquisition time, view and level as the reference "
                        + "label. Ingest checks every scan as it checks any upload; a scan it already holds is answered as "
                        + "a duplicate, so running the command again adds nothing twice. Shows a progress bar, then a "
                        + "summary: new, already there, refused with ingest's reason for each. Where the manifest has a "
                        + "severity, it goes with the scan as its radiologist severity (the indexer then scores with it). "
                        + "The bearer token is read from XRAY_API_TOKEN.",
                "Exit codes: 0 every row is in, 3 some rows were refused."
            })
    static final class Load implements Callable<Integer> {

        @Option(names = "--data", required = true, description = "Labelled folder with manifest.csv.")
        Path data;

        @Option(
                names = "--ingest",
                defaultValue = "${env:XRAY_INGEST_URL:-http://127.0.0.1:8081}",
                description = "Ingest's base URL (default: XRAY_INGEST_URL, else ${DEFAULT-VALUE}).")
        String ingest;

        @Option(
                names = "--concurrency",
                defaultValue = "4",
                description = "Uploads in flight (default: ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--source", description = "Source named in the events (default: cohort:<folder name>).")
        String source;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() throws Exception {
            String token = config.settings().string(IndexerConfig.API_TOKEN.name(), "");
            if (token.isBlank()) {
                System.err.println("cohort load: set XRAY_API_TOKEN to ingest's bearer token");
                return 2;
            }
            List<Manifest.Entry> rows = Manifest.read(data);
            String name = source != null
                    ? source
                    : "cohort:" + data.toAbsolutePath().normalize().getFileName();
            System.err.printf("Loading %d labelled scans from %s into %s ...%n", rows.size(), data, ingest);
            CohortLoader.Result r = new CohortLoader(ingest, token, System.err).load(rows, name, concurrency);
            print(r, rows.size());
            return r.refused().isEmpty() ? 0 : 3;
        }
    }

    /** The summary of a load. */
    public static void print(CohortLoader.Result r, int rows) {
        System.out.printf(
                "cohort load: %d rows: %d new, %d already there, %d refused%n",
                rows, r.accepted(), r.duplicates(), r.refused().size());
        Map<String, Long> byReason = r.refused().stream()
                .collect(Collectors.groupingBy(
                        s -> s.substring(s.indexOf(": ") + 2), TreeMap::new, Collectors.counting()));
        byReason.forEach((reason, n) -> System.out.printf("  refused %d x: %s%n", n, reason));
        r.refused().forEach(s -> System.out.println("    " + s));
    }
}
