package io.xraydrift.cli;

import io.xraydrift.cli.bench.BenchCommand;
import io.xraydrift.cli.demo.DemoCommand;
import io.xraydrift.cli.evaluate.CrossValidateCommand;
import io.xraydrift.cli.evaluate.EvaluateCommand;
import io.xraydrift.cli.evaluate.TrainCommand;
import io.xraydrift.cli.ops.CohortCommand;
import io.xraydrift.cli.ops.PhantomsCommand;
import io.xraydrift.cli.ops.ReplayCommand;
import io.xraydrift.cli.ops.ServiceCommands;
import io.xraydrift.cli.ops.StackCommand;
import io.xraydrift.cli.ops.TopicsCommand;
import io.xraydrift.platform.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code xray-drift} command: local stack, demo, topics, and one command per service. */
@Command(
        name = "xray-drift",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Watches patients' chest X-rays over time on Kafka: embeds each scan with a CNN, places it among "
                    + "labelled scans with an ANN forest, scores it by its 36 nearest neighbours and alerts when a "
                    + "patient drifts from the healthy cluster toward the severe one. Decision support, not a diagnosis.",
            ""
        },
        subcommands = {
            DemoCommand.class,
            StackCommand.class,
            TopicsCommand.class,
            PhantomsCommand.class,
            TrainCommand.class,
            CrossValidateCommand.class,
            CohortCommand.class,
            EvaluateCommand.class,
            BenchCommand.class,
            ReplayCommand.class,
            ServiceCommands.Ingest.class,
            ServiceCommands.Embedder.class,
            ServiceCommands.Indexer.class,
            ServiceCommands.DriftMonitor.class,
            ServiceCommands.AlertOut.class,
            CommandLine.HelpCommand.class,
        },
        footer = {
            "",
            "Run 'xray-drift COMMAND --help' for a command's options.",
            "Configuration is read from XRAY_* environment variables (see docs/operations.md, Configuration)."
        })
public final class XrayDrift implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests execute it directly). */
    public static CommandLine commandLine() {
        return new CommandLine(new XrayDrift())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A bad argument or setting is the caller's to fix: its message, no stack trace.
                    if (e instanceof IllegalArgumentException || e instanceof ConfigException) {
                        cmd.getErr().println("xray-drift " + cmd.getCommandName() + ": " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
    }
}
