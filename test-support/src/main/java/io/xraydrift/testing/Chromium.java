package io.xraydrift.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, for tests that check a page renders: the DOM after load, and a
 * screenshot. Fails with the install command when the binary is missing ({@code .ci/run} installs it).
 */
public final class Chromium {

    private static final Path BINARY = Path.of("/usr/bin/chromium");

    private Chromium() {}

    /** The DOM of {@code url} as Chromium renders it; writes {@code shot} (PNG) too when it is not null. */
    public static String render(String url, Path workDir, Path shot) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(
                    "Debian's chromium is needed at " + BINARY + " (apt-get install chromium; .ci/run does)");
        }
        Files.createDirectories(workDir);
        List<String> common = List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + workDir.resolve("chromium-profile"));
        Path dom = workDir.resolve("dom.html");
        List<String> dump = new ArrayList<>(common);
        dump.add("--dump-dom");
        dump.add(url);
        Process p = new ProcessBuilder(dump)
                .redirectOutput(dom.toFile())
                .redirectError(workDir.resolve("chromium.log").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not render " + url + " within 120 s");
        }
        if (shot != null) {
            Files.createDirectories(shot.toAbsolutePath().getParent());
            List<String> cmd = new ArrayList<>(common);
            cmd.add("--screenshot=" + shot.toAbsolutePath());
            cmd.add("--window-size=1200,2400");
            cmd.add(url);
            Process s = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("shot.log").toFile())
                    .start();
            if (!s.waitFor(120, TimeUnit.SECONDS)) {
                s.destroyForcibly();
            }
        }
        return Files.readString(dom);
    }

    /** Occurrences of {@code needle} in {@code text}. */
    public static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
