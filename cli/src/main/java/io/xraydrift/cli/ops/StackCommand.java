package io.xraydrift.cli.ops;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the local stack until Ctrl-C. */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the local stack (Kafka + schema registry) until Ctrl-C.",
            "Starts a real Kafka broker (KRaft, in this JVM) and a real Apicurio Registry (child process; needs a "
                    + "Java 21+ runtime, found through XRAY_REGISTRY_JAVA, JAVA_HOME or /usr/lib/jvm/*) on loopback and "
                    + "free ports, creates the topics, registers the event schemas with BACKWARD compatibility, prints how "
                    + "to connect, and runs until Ctrl-C, which stops both and removes their data.",
            "With --brokers 3 Kafka is a cluster as a hospital runs it: three KRaft nodes, each its own JVM from "
                    + "Kafka's own main, topics at replication factor 3 with min.insync.replicas 2, controlled shutdown on.",
            "With --secure the stack is what a hospital runs: Kafka over SASL_SSL only (SCRAM-SHA-512, a certificate "
                    + "made by keytool), ACLs enforced, the registry on HTTPS only; one user per service with the ACLs of "
                    + "'topics acls', and each service's settings in an env file (printed)."
        })
public final class StackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--secure", description = "SASL_SSL + SCRAM-SHA-512 + ACLs, registry on HTTPS.")
    boolean secure;

    @Option(
            names = "--brokers",
            defaultValue = "1",
            paramLabel = "N",
            description = "Kafka nodes (default: ${DEFAULT-VALUE}, in this JVM; 3 is a cluster as a hospital runs it).")
    int brokers;

    @Override
    public Integer call() {
        if (secure && brokers > 1) {
            throw new ParameterException(
                    spec.commandLine(), "--secure runs one broker; --brokers " + brokers + " is not available with it");
        }
        if (brokers < 1 || brokers > 5) {
            throw new ParameterException(spec.commandLine(), "--brokers takes 1 to 5, not " + brokers);
        }
        try (LocalRun run = secure ? LocalRun.startSecure(System.out) : LocalRun.start(System.out, brokers)) {
            run.printConnectionHelp(System.out);
            System.out.println("Running. Ctrl-C stops the stack and removes its data.");
            run.awaitStop();
        }
        return 0;
    }
}
