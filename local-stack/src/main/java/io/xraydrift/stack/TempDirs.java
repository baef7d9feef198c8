package io.xraydrift.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Temp directories of the stack and the local commands: marked with their owner, swept once the owner is gone. */
public final class TempDirs {

    private static final Logger LOG = LoggerFactory.getLogger(TempDirs.class);

    private TempDirs() {}

    private static final String OWNER_FILE = "owner.pid";

    /**
     * A fresh temp directory marked with this JVM's pid. Directories of the same prefix whose owner
     * is gone (a JVM killed with SIGKILL cannot clean up) are removed first.
     */
    public static Path create(String prefix) {
        sweepStale(prefix);
        try {
            Path dir = Files.createTempDirectory(prefix);
            Files.writeString(
                    dir.resolve(OWNER_FILE),
                    String.valueOf(ProcessHandle.current().pid()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory " + prefix + "*", e);
        }
    }

    private static void sweepStale(String prefix) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(prefix) && Files.isDirectory(d))
                    .filter(TempDirs::ownerGone)
                    .forEach(d -> {
                        LOG.info("removing {} left by a process that no longer runs", d);
                        deleteQuietly(d);
                    });
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", tmp, e.toString());
        }
    }

    private static boolean ownerGone(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (IOException | NumberFormatException e) {
            return false; // not ours, or still being created: leave it
        }
    }

    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
    }
}
