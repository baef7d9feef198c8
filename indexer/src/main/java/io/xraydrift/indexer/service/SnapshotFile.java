package io.xraydrift.indexer.service;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import io.xraydrift.events.Level;
import io.xraydrift.indexer.forest.Arrays2;
import io.xraydrift.indexer.forest.Forest;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.forest.Vectors;

/**
 * One model version's index on disk: a header (format version, metric, dimension, trees, model
 * id and version, index version, and the {@code xray.embeddings} offsets it covers), every vector
 * read up to those offsets, who each vector is, the centroid sums, the forest (over a prefix of
 * the vectors; the rest are searched exactly until the next rebuild), and a CRC-32 of all of it. Written to a temp
 * file and moved into place, so a crash never leaves a half-written snapshot under the real name.
 */
public final class SnapshotFile {

    static final String MAGIC = "XRAYFRS1";
    static final int FORMAT = 1;
    static final String SUFFIX = ".xfs";

    /** A loaded snapshot. */
    public record Loaded(ReferenceIndex index, Map<Integer, Long> offsets, Path file) {
    }

    /** What a loaded snapshot must match. */
    public record Expectation(Metric metric, int trees) {
    }

    private SnapshotFile() {
    }

    static String fileName(String modelId, String modelVersion) {
        return (modelId + "@" + modelVersion).replaceAll("[^A-Za-z0-9@._-]", "_") + SUFFIX;
    }

    /** Writes the index; offsets are the next offsets per partition that the index has not read. */
    public static Path write(Path dir, ReferenceIndex ref, Map<Integer, Long> offsets) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName(ref.modelId(), ref.modelVersion()));
        Path tmp = Files.createTempFile(dir, "snapshot-", ".tmp");
        LiveIndex.Built built = ref.index().built();
        Vectors.View view = ref.index().vectors().view();
        int count = view.count(); // every vector read so far: the forest covers a prefix, the rest is fresh
        CRC32 crc = new CRC32();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new CheckedOutputStream(Files.newOutputStream(tmp), crc), 1 << 20))) {
            out.writeBytes(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(built.forest().metric().name());
            out.writeInt(view.dim());
            out.writeInt(built.forest().trees());
            out.writeUTF(ref.modelId());
            out.writeUTF(ref.modelVersion());
            out.writeLong(built.version());
            out.writeLong(ref.completedSequence());
            out.writeInt(offsets.size());
            for (var e : offsets.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(count);
            Arrays2.writeFloats(out, view.data(), count * view.dim());
            for (int i = 0; i < count; i++) {
                ReferenceIndex.Entry entry = ref.entry(i);
                out.writeUTF(entry.scanId());
                out.writeUTF(entry.patient());
                out.writeByte(entry.label().ordinal());
            }
            double[][] sums = ref.centroidSums();
            int[] counts = ref.counts();
            for (int l = 0; l < 3; l++) {
                out.writeInt(counts[l]);
                for (double v : sums[l]) {
                    out.writeDouble(v);
                }
            }
            built.forest().write(out);
            out.flush();
            out.writeLong(crc.getValue());
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /**
     * Reads a snapshot; the caller replays the topic from its offsets. Fails with the reason when
     * the file is corrupt or does not match the expectation.
     */
    public static Loaded read(Path file, Expectation expected, long seed, double rebuildFraction,
                              Duration rebuildInterval, LiveIndex.RebuildListener listener) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = Files.newInputStream(file);
             CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 20), crc);
             DataInputStream in = new DataInputStream(checked)) {
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new IOException(file + " is not an xray-drift forest snapshot");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException(file + " has format " + format + ", this indexer reads " + FORMAT);
            }
            Metric metric = Metric.valueOf(in.readUTF());
            int dim = in.readInt();
            int trees = in.readInt();
            if (metric != expected.metric() || trees != expected.trees()) {
                throw new IOException(file + " is " + metric + " with " + trees + " trees, configured "
                        + expected.metric() + " with " + expected.trees());
            }
            String modelId = in.readUTF();
            String modelVersion = in.readUTF();
            long indexVersion = in.readLong();
            long completed = in.readLong();
            Map<Integer, Long> offsets = new LinkedHashMap<>();
            int partitions = in.readInt();
            for (int i = 0; i < partitions; i++) {
                offsets.put(in.readInt(), in.readLong());
            }
            int count = in.readInt();
            float[] data = Arrays2.readFloats(in);
            if (data.length != count * dim) {
                throw new IOException(file + ": " + data.length + " floats for " + count + " vectors of " + dim);
            }
            List<ReferenceIndex.Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                entries.add(new ReferenceIndex.Entry(in.readUTF(), in.readUTF(), Level.values()[in.readByte()]));
            }
            double[][] sums = new double[3][dim];
            int[] counts = new int[3];
            for (int l = 0; l < 3; l++) {
                counts[l] = in.readInt();
                for (int d = 0; d < dim; d++) {
                    sums[l][d] = in.readDouble();
                }
            }
            Forest forest = Forest.read(in);
            long computed = crc.getValue();
            long stored = in.readLong();
            if (computed != stored) {
                throw new IOException(file + " is corrupt: CRC-32 " + Long.toHexString(computed) + " != stored "
                        + Long.toHexString(stored));
            }
            if (forest.size() > count || forest.dim() != dim) {
                throw new IOException(file + ": forest covers " + forest.size() + " vectors of " + forest.dim()
                        + " dims, snapshot holds " + count + " of " + dim);
            }
            float[] grown = Arrays.copyOf(data, Math.max(data.length, 1024 * dim));
            Vectors vectors = Vectors.wrap(metric, dim, grown, count);
            LiveIndex live = new LiveIndex(vectors, trees, seed, forest.leafSize(), rebuildFraction, rebuildInterval,
                    listener);
            live.restore(forest, indexVersion);
            ReferenceIndex ref = new ReferenceIndex(modelId, modelVersion, live);
            ref.restoreEntries(entries);
            ref.restoreCentroids(sums, counts);
            if (completed >= 0) {
                ref.markComplete(completed);
            }
            return new Loaded(ref, offsets, file);
        }
    }
}
