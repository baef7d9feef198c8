package io.xraydrift.phantoms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the manifest of an image folder ({@value PhantomSet#MANIFEST}: {@value PhantomSet#HEADER}),
 * the layout the phantoms command writes and real labelled data can be arranged in. Only
 * file, patient, level and severity are required; a bad line fails naming its number and value.
 */
public final class Manifest {

    /**
     * One line. {@code severity} is NaN and {@code acquiredAt} null when the column is empty;
     * {@code source} is the optional {@code source} column (where the scan came from, e.g.
     * {@code nih} or {@code ieee8023:<file>}), empty when the manifest has none.
     */
    public record Entry(
            int line,
            Path image,
            String file,
            String patient,
            Grade grade,
            double severity,
            Instant acquiredAt,
            String view,
            String trajectory,
            String source) {

        /** The source's data set: the part of {@code source} before a colon ({@code ieee8023:x.jpg} is {@code ieee8023}). */
        public String dataSet() {
            int colon = source.indexOf(':');
            return colon < 0 ? source : source.substring(0, colon);
        }

        /** The image's bytes. */
        public byte[] read() {
            try {
                return Files.readAllBytes(image);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + image + " (manifest line " + line + ")", e);
            }
        }
    }

    private Manifest() {}

    public static List<Entry> read(Path dir) {
        Path manifest = dir.resolve(PhantomSet.MANIFEST);
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest + " (write one with 'xray-drift phantoms')", e);
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("file,patient,level,severity")) {
            throw new IllegalArgumentException(manifest + ": first line must start with file,patient,level,severity");
        }
        int sourceColumn = Arrays.asList(lines.get(0).trim().split(",", -1)).indexOf("source");
        List<Entry> entries = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                entries.add(entry(dir, lines.get(i).split(",", -1), i + 1, sourceColumn));
            }
        }
        return entries;
    }

    private static Entry entry(Path dir, String[] row, int line, int sourceColumn) {
        if (row.length < 4) {
            throw new IllegalArgumentException("manifest line " + line + " has " + row.length + " fields, needs 4");
        }
        String[] f = Arrays.copyOf(row, 7);
        Grade grade;
        try {
            grade = Grade.valueOf(f[2].trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest line " + line + ": level '" + f[2] + "' is not one of "
                    + Arrays.toString(Grade.values()).toLowerCase(Locale.ROOT));
        }
        double severity;
        Instant acquiredAt;
        try {
            severity = f[3].isBlank() ? Double.NaN : Double.parseDouble(f[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("manifest line " + line + ": severity '" + f[3] + "' is not a number");
        }
        try {
            acquiredAt = f[4] == null || f[4].isBlank() ? null : Instant.parse(f[4].trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "manifest line " + line + ": acquired_at '" + f[4] + "' is not an ISO-8601 instant");
        }
        String source = sourceColumn >= 0 && sourceColumn < row.length ? row[sourceColumn].trim() : "";
        return new Entry(
                line,
                dir.resolve(f[0]),
                f[0],
                f[1],
                grade,
                severity,
                acquiredAt,
                f[5] == null ? "" : f[5].trim(),
                f[6] == null ? "" : f[6].trim(),
                source);
    }
}
