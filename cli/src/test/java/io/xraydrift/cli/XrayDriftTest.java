package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class XrayDriftTest {

    private static final List<String> COMMANDS = List.of(
            "demo",
            "stack",
            "topics",
            "phantoms",
            "train",
            "crossval",
            "cohort",
            "evaluate",
            "bench",
            "ingest",
            "embedder",
            "indexer",
            "drift-monitor");

    @Test
    void helpListsEveryCommand() {
        String help = run("--help");
        COMMANDS.forEach(c -> assertTrue(help.contains("  " + c + " "), c + " missing from:\n" + help));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "demo",
                "stack",
                "topics",
                "topics list",
                "topics setup",
                "topics tail",
                "phantoms",
                "train",
                "crossval",
                "cohort load",
                "evaluate",
                "bench",
                "bench phantoms",
                "ingest",
                "embedder",
                "indexer",
                "drift-monitor",
                "topics acls",
                "stack"
            })
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").split(" ");
        StringWriter out = new StringWriter();
        int rc = XrayDrift.commandLine().setOut(new PrintWriter(out)).execute(args);
        assertEquals(0, rc);
        assertTrue(out.toString().startsWith("Usage: xray-drift " + command), out.toString());
    }

    @Test
    void topicsAclsPrintsEachPrincipalsLeastPrivilegeAndRefusesAnUntypedPrincipalByName() {
        String acls = run("topics", "acls", "--feed", "User:pacs", "--alert-reader", "User:dash=ward7-");
        assertTrue(acls.contains("User:xray-ingest") && acls.contains("User:xray-drift-monitor"), acls);
        assertTrue(
                acls.lines()
                        .anyMatch(l ->
                                l.startsWith("User:pacs") && l.contains("WRITE") && l.contains("xray.scans.intake")),
                acls);
        assertTrue(acls.lines().noneMatch(l -> l.startsWith("User:pacs") && !l.contains("xray.scans.intake")), acls);
        assertTrue(
                acls.lines().noneMatch(l -> l.contains(" CREATE ") && l.contains("LITERAL")),
                "no service creates a topic");
        StringWriter err = new StringWriter();
        int rc = XrayDrift.commandLine()
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err))
                .execute("topics", "acls", "--feed", "pacs");
        assertEquals(2, rc);
        assertTrue(err.toString().contains("'pacs'") && !err.toString().contains("\tat "), err.toString());
    }

    @Test
    void demoRefusesACohortThatIsNeitherThreeCountsNorAFolderByName() {
        for (String cohort : new String[] {"40,x,5", "40,-1,5", "40,40"}) {
            StringWriter err = new StringWriter();
            int rc = XrayDrift.commandLine()
                    .setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err))
                    .execute("demo", "--cohort", cohort);
            assertEquals(2, rc, err.toString());
            assertTrue(
                    err.toString().contains("--cohort=" + cohort)
                            && !err.toString().contains("\tat "),
                    err.toString());
        }
    }

    @Test
    void serviceHelpNamesItsConfigurationKeys() {
        assertTrue(run("ingest", "--help").contains("XRAY_PSEUDONYM_KEY"));
        assertTrue(run("indexer", "--help").contains("XRAY_INDEXER_K"));
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = XrayDrift.commandLine().setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(args));
        return out.toString();
    }
}
