package io.xraydrift.indexer.service;

import io.xraydrift.events.Level;
import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.reference.ReferenceIndex;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot format, apart from any file: its constants, the header's fields and their
 * encoding, and the two small encoded sections (who each vector is; the centroid sums). The layout
 * is described on {@link SnapshotFile}; {@link SectionFile} reads and writes the bytes.
 */
final class SnapshotFormat {

    static final String MAGIC = "XRAYFRS2";
    static final int FORMAT = 4;
    /** Sections start on page boundaries, so that any reader can map one and use it in place. */
    static final int ALIGN = 4096;
    /** Magic, format, header length. */
    static final int PREAMBLE = 16;

    static final int MAX_HEADER = 1 << 20;
    /** The labels in the order the file writes them: an entry's label is its index here (a byte). */
    private static final List<Level> LABELS = List.of(Level.HEALTHY, Level.INFECTED, Level.SEVERE);

    private SnapshotFormat() {}

    /** One section of the file, as the header lists it. */
    record Section(String name, long offset, long length, long crc) {}

    /** A header as read, with its section table by name. */
    record Decoded(Header header, Map<String, Section> sections) {}

    /** The header's fields but its section table; {@link #decode} checks them against each other, the file's size and the configuration. */
    record Header(
            Metric metric,
            int dim,
            int trees,
            int leafSize,
            String modelId,
            String modelVersion,
            long indexVersion,
            long firstSeen,
            boolean complete,
            Map<Integer, Long> offsets,
            int count,
            int forestSize) {

        /** The header's bytes with this section table; their length does not depend on the sections' offsets and CRCs. */
        byte[] encode(List<Section> sections) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(metric.name());
                out.writeInt(dim);
                out.writeInt(trees);
                out.writeInt(leafSize);
                out.writeUTF(modelId);
                out.writeUTF(modelVersion);
                out.writeLong(indexVersion);
                out.writeLong(firstSeen);
                out.writeBoolean(complete);
                out.writeInt(offsets.size());
                for (var e : offsets.entrySet()) {
                    out.writeInt(e.getKey());
                    out.writeLong(e.getValue());
                }
                out.writeInt(count);
                out.writeInt(forestSize);
                out.writeInt(sections.size());
                for (Section s : sections) {
                    out.writeUTF(s.name());
                    out.writeLong(s.offset());
                    out.writeLong(s.length());
                    out.writeInt((int) s.crc());
                }
            }
            return bytes.toByteArray();
        }

        static Decoded decode(DataInputStream in, Path file, long fileSize, SnapshotFile.Expectation expected)
                throws IOException {
            Metric metric = Metric.valueOf(in.readUTF());
            int dim = in.readInt();
            int trees = in.readInt();
            if (metric != expected.metric() || trees != expected.trees()) {
                throw new IOException(file + " is " + metric + " with " + trees + " trees, configured "
                        + expected.metric() + " with " + expected.trees());
            }
            int leafSize = in.readInt();
            String modelId = in.readUTF();
            String modelVersion = in.readUTF();
            long indexVersion = in.readLong();
            long firstSeen = in.readLong();
            boolean complete = in.readBoolean();
            Map<Integer, Long> offsets = new LinkedHashMap<>();
            int partitions = in.readInt();
            for (int i = 0; i < partitions; i++) {
                offsets.put(in.readInt(), in.readLong());
            }
            int count = in.readInt();
            int forestSize = in.readInt();
            Map<String, Section> sections = new LinkedHashMap<>();
            int sectionCount = in.readInt();
            for (int i = 0; i < sectionCount; i++) {
                Section s = new Section(in.readUTF(), in.readLong(), in.readLong(), in.readInt() & 0xFFFFFFFFL);
                if (s.offset() < 0 || s.length() < 0 || s.offset() + s.length() > fileSize) {
                    throw new IOException(file + " is corrupt: section " + s.name() + " at " + s.offset() + " of "
                            + s.length() + " bytes in a file of " + fileSize + " bytes");
                }
                sections.put(s.name(), s);
            }
            if (dim < 1 || count < 0 || forestSize < 0 || forestSize > count) {
                throw new IOException(
                        file + ": forest covers " + forestSize + " of " + count + " vectors of " + dim + " dims");
            }
            return new Decoded(
                    new Header(
                            metric,
                            dim,
                            trees,
                            leafSize,
                            modelId,
                            modelVersion,
                            indexVersion,
                            firstSeen,
                            complete,
                            offsets,
                            count,
                            forestSize),
                    sections);
        }
    }

    /** Who each of the first {@code count} vectors is: scan id, patient, label byte, radiologist severity or NaN. */
    static byte[] entries(ReferenceIndex ref, int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(count * 40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int i = 0; i < count; i++) {
                ReferenceIndex.Entry entry = ref.entry(i);
                out.writeUTF(entry.scanId());
                out.writeUTF(entry.patient());
                out.writeByte(LABELS.indexOf(entry.label()));
                out.writeDouble(entry.severity());
            }
        }
        return bytes.toByteArray();
    }

    static List<ReferenceIndex.Entry> entries(DataInputStream e, int count, Path file) throws IOException {
        List<ReferenceIndex.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(new ReferenceIndex.Entry(e.readUTF(), e.readUTF(), level(e.readByte(), file), e.readDouble()));
        }
        return entries;
    }

    /** Per label in {@link #LABELS}' order: count, then the f64 sum of its vectors. */
    static byte[] centroids(ReferenceIndex ref) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            LevelCounts counts = ref.counts();
            for (Level level : LABELS) {
                out.writeInt(counts.get(level));
                for (double v : ref.centroidSum(level)) {
                    out.writeDouble(v);
                }
            }
        }
        return bytes.toByteArray();
    }

    /**
     * The label counts of a CENTROID section (its sums are read past: the index derives everything
     * from the vectors and entries; the load checks the counts against the entries).
     */
    static LevelCounts centroidCounts(DataInputStream c, int dim) throws IOException {
        LevelCounts counts = LevelCounts.NONE;
        for (Level level : LABELS) {
            counts = counts.plus(level, c.readInt());
            for (int d = 0; d < dim; d++) {
                c.readDouble();
            }
        }
        return counts;
    }

    private static Level level(byte code, Path file) throws IOException {
        if (code < 0 || code >= LABELS.size()) {
            throw new IOException(file + " is corrupt: label code " + code);
        }
        return LABELS.get(code);
    }

    static long align(long at) {
        return (at + ALIGN - 1) / ALIGN * ALIGN;
    }
}
