package io.xraydrift.ingest.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where DICOM in keeps a refused file so it can be sent again once the cause is fixed: named by its
 * request id (never by a header value), at most {@code maxFiles} of them, deleted after
 * {@code retention}; the folder and its files are private to ingest's user (0700 / 0600 where the
 * file system has POSIX permissions), since a DICOM header names the patient.
 */
final class Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);

    private final Path dir;
    private final int maxFiles;
    private final Duration retention;

    Quarantine(Path dir, int maxFiles, Duration retention) {
        this.dir = dir;
        this.maxFiles = maxFiles;
        this.retention = retention;
    }

    /** Keeps a refused file; past {@code maxFiles} it is only dead-lettered (logged, not kept). */
    void keep(byte[] file, String requestId) {
        try {
            privateFolder(dir);
            try (var listing = Files.list(dir)) {
                if (listing.count() >= maxFiles) {
                    LOG.warn(
                            "DICOM quarantine {} holds {} files; refused file of {} not kept",
                            dir,
                            maxFiles,
                            requestId);
                    return;
                }
            }
            writePrivate(dir.resolve(requestId.replace(':', '_') + ".dcm"), file);
        } catch (IOException e) {
            LOG.warn("could not keep refused DICOM file of {} in {}: {}", requestId, dir, e.toString());
        }
    }

    /** Deletes refused files kept longer than the retention. */
    void expire() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Instant before = Instant.now().minus(retention);
        int deleted = 0;
        try (var listing = Files.list(dir)) {
            for (Path f : listing.toList()) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                    Files.deleteIfExists(f);
                    deleted++;
                }
            }
        } catch (IOException e) {
            LOG.warn("could not expire refused files in {}: {}", dir, e.toString());
        }
        if (deleted > 0) {
            LOG.info("deleted {} refused DICOM file(s) kept past {}", deleted, retention);
        }
    }

    /** A folder only ingest's user may enter (0700 where the file system has POSIX permissions). */
    static void privateFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        if (folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Writes a file only ingest's user may read (0600 from its creation, where POSIX permissions exist). */
    static void writePrivate(Path f, byte[] bytes) throws IOException {
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.deleteIfExists(f);
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(f, bytes);
    }
}
