package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.xraydrift.phantoms.PhantomSet;

/**
 * The evaluation on a fresh phantom set (other seeds than the model's training data), checked in
 * nowhere: the study's figures are met, and the HTML report renders in headless Chromium with the
 * three 36-image grids and its plots.
 */
class EvaluateIT {

    @Test
    void freshPhantomsMeetTheStudysFiguresAndTheReportRendersInChromium(@TempDir Path dir) throws Exception {
        Path labelled = dir.resolve("labelled");
        Path trajectories = dir.resolve("trajectories");
        PhantomSet.write(labelled, PhantomSet.labelled(300, 120, 120, 90001, 0.15), 512);
        PhantomSet.write(trajectories, PhantomSet.trajectories(40, 8, 90002, 0.15), 512);
        Path report = dir.resolve("report.html");

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(tee);
            rc = XrayDrift.commandLine().execute("evaluate", "--data", labelled.toString(), "--trajectories",
                    trajectories.toString(), "--out", report.toString(), "--json");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8).trim();
        original.println(out);
        assertEquals(0, rc, out);
        JsonNode figures = new ObjectMapper().readTree(out.substring(out.lastIndexOf('{')));
        for (String key : List.of("purity_healthy", "purity_infected", "purity_severe", "sensitivity", "specificity",
                "median_lead_scans", "model", "index")) {
            assertTrue(figures.has(key), key + " missing from " + figures);
        }
        assertTrue(figures.get("purity_healthy").asDouble() >= 0.95, figures.toString());
        assertTrue(figures.get("purity_infected").asDouble() >= 0.80, figures.toString());
        assertTrue(figures.get("purity_severe").asDouble() >= 0.95, figures.toString());
        assertTrue(figures.get("sensitivity").asDouble() >= 0.95, figures.toString());
        assertTrue(figures.get("specificity").asDouble() >= 0.95, figures.toString());

        String dom = chromium(dir, report);
        for (String level : List.of("healthy", "infected", "severe")) {
            Matcher grid = Pattern.compile("id=\"grid-" + level + "\">(.*?)</div>", Pattern.DOTALL).matcher(dom);
            assertTrue(grid.find(), "grid of the " + level + " query rendered");
            assertEquals(36, count(grid.group(1), "class=\"grid-cell\""), level + " grid cells");
        }
        assertTrue(count(dom, "<svg class=\"plot") >= 2, "purity and trajectory plots rendered");
        assertTrue(count(dom, "class=\"point\"") >= 40 * 8, "every trajectory scan plotted");
    }

    /** The DOM of the report as headless Chromium renders it (and a screenshot beside the report). */
    private static String chromium(Path dir, Path report) throws Exception {
        Path binary = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(binary), "Debian's chromium is needed (apt-get install chromium; .ci/run does)");
        List<String> common = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("chromium-profile"));
        Path dom = dir.resolve("dom.html");
        List<String> dump = new java.util.ArrayList<>(common);
        dump.add("--dump-dom");
        dump.add(report.toUri().toString());
        Process p = new ProcessBuilder(dump).redirectOutput(dom.toFile()).redirectError(dir.resolve("chromium.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        List<String> shot = new java.util.ArrayList<>(common);
        shot.add("--screenshot=" + dir.resolve("report.png"));
        shot.add("--window-size=1200,2400");
        shot.add(report.toUri().toString());
        new ProcessBuilder(shot).redirectErrorStream(true).redirectOutput(dir.resolve("shot.log").toFile()).start()
                .waitFor(120, TimeUnit.SECONDS);
        return Files.readString(dom);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
