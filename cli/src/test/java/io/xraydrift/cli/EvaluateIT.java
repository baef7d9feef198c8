package io.xraydrift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.xraydrift.phantoms.PhantomSet;
import io.xraydrift.stack.Chromium;

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

        String dom = Chromium.render(report.toUri().toString(), dir, dir.resolve("report.png"));
        for (String level : List.of("healthy", "infected", "severe")) {
            Matcher grid = Pattern.compile("id=\"grid-" + level + "\">(.*?)</div>", Pattern.DOTALL).matcher(dom);
            assertTrue(grid.find(), "grid of the " + level + " query rendered");
            assertEquals(36, Chromium.count(grid.group(1), "class=\"grid-cell\""), level + " grid cells");
        }
        assertTrue(Chromium.count(dom, "<svg class=\"plot") >= 2, "purity and trajectory plots rendered");
        assertTrue(Chromium.count(dom, "class=\"point\"") >= 40 * 8, "every trajectory scan plotted");
    }
}
