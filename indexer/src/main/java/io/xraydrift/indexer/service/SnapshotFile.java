package io.xraydrift.indexer.service;

import io.xraydrift.events.LevelCounts;
import io.xraydrift.indexer.forest.Forest;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.forest.Metric;
import io.xraydrift.indexer.forest.Vectors;
import io.xraydrift.indexer.reference.ModelKey;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.indexer.service.SnapshotFormat.Header;
import io.xraydrift.indexer.service.SnapshotFormat.Section;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One model version's index on disk, laid out to be memory-mapped: a header, then sections that
 * each start on a 4 KiB page boundary and hold one array raw, little-endian, as the index holds it
 * in memory (the vectors, then the forest's node, plane and leaf arrays), plus two small encoded
 * sections (who each vector is; the centroid sums).
 *
 * <pre>
 * 0   "XRAYFRS2"  int32 format  int32 header length H   (little-endian)
 * 16  header (H bytes): metric, dimension, trees, leaf size, model id and version, index version,
 *     when the model version was first seen (epoch ms) and whether it holds its cohort (format 3;
 *     format 2 held a completion sequence), the xray.embeddings offsets covered, vector count,
 *     forest size, then the
 *     section table: name, file offset, byte length, CRC-32 of each section
 * 16+H  CRC-32 of bytes [0, 16+H)
 * sections at 4 KiB-aligned offsets: VECTORS f32[count*dim], ENTRIES (scan id, patient, label byte
 *     0 healthy 1 infected 2 severe, radiologist severity or NaN — the severity since format 4),
 *     CENTROIDS (per label in that order: count, f64[dim] sum), ROOTS i32,
 *     POSITIVE i32, NEGATIVE i32, PLANES f32[nodes*dim], OFFSETS f32, LEAFSTRT i32, LEAFITEM i32
 * </pre>
 *
 * Any reader can map a section and use it in place (the layout is the in-memory layout). This
 * indexer streams each section into its own arrays instead (the live index goes on appending to
 * them), checking each section's CRC on the way. Written to
 * a temp file, forced and moved into place, so a crash never leaves a half-written snapshot under
 * the real name. This class says what goes where (a {@link ReferenceIndex} to sections and back);
 * {@link SnapshotFormat} holds the header and the encoded sections, {@link SectionFile} the bytes.
 */
public final class SnapshotFile {

    static final String SUFFIX = ".xfs";
    static final int ALIGN = SnapshotFormat.ALIGN;

    /** A loaded snapshot. */
    public record Loaded(ReferenceIndex index, Map<Integer, Long> offsets, Path file) {}

    /** What a loaded snapshot must match. */
    public record Expectation(Metric metric, int trees) {}

    private SnapshotFile() {}

    static String fileName(String modelId, String modelVersion) {
        return new ModelKey(modelId, modelVersion).toString().replaceAll("[^A-Za-z0-9@._-]", "_") + SUFFIX;
    }

    /** Writes the index; offsets are the next offsets per partition that the index has not read. */
    public static Path write(Path dir, ReferenceIndex ref, Map<Integer, Long> offsets) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName(ref.modelId(), ref.modelVersion()));
        LiveIndex.Built built = ref.index().built();
        Vectors.View view = ref.index().vectors().view();
        int count = view.count(); // every vector read so far: the forest covers a prefix, the rest is fresh
        Forest.Layout forest = built.forest().layout();
        List<SectionFile.Content> contents = List.of(
                SectionFile.floats("VECTORS", view.data(), (long) count * view.dim()),
                SectionFile.bytes("ENTRIES", SnapshotFormat.entries(ref, count)),
                SectionFile.bytes("CENTROID", SnapshotFormat.centroids(ref)),
                SectionFile.ints("ROOTS", forest.roots()),
                SectionFile.ints("POSITIVE", forest.positive()),
                SectionFile.ints("NEGATIVE", forest.negative()),
                SectionFile.floats("PLANES", forest.planes(), forest.planes().length),
                SectionFile.floats("OFFSETS", forest.offsets(), forest.offsets().length),
                SectionFile.ints("LEAFSTRT", forest.leafStart()),
                SectionFile.ints("LEAFITEM", forest.leafItems()));
        Header header = new Header(
                forest.metric(),
                view.dim(),
                forest.roots().length,
                forest.leafSize(),
                ref.modelId(),
                ref.modelVersion(),
                built.version(),
                ref.firstSeen(),
                ref.complete(),
                offsets,
                count,
                forest.size());
        // The header's length does not depend on the offsets and CRCs in it: encode once to lay out.
        List<Section> unplaced = new ArrayList<>();
        for (SectionFile.Content c : contents) {
            unplaced.add(new Section(c.name(), 0, c.length(), 0));
        }
        long at = SnapshotFormat.align(SnapshotFormat.PREAMBLE + header.encode(unplaced).length + 4L);
        Path tmp = Files.createTempFile(dir, "snapshot-", ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            List<Section> sections = SectionFile.writeSections(channel, at, contents);
            SectionFile.writeStart(channel, header.encode(sections));
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /**
     * Reads a snapshot; the caller replays the topic from its offsets. Fails with the reason when
     * the file is corrupt or does not match the expectation.
     */
    public static Loaded read(
            Path file,
            Expectation expected,
            long seed,
            double rebuildFraction,
            Duration rebuildInterval,
            LiveIndex.RebuildListener listener)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            SnapshotFormat.Decoded decoded =
                    Header.decode(SectionFile.checkedHeader(channel, file, fileSize), file, fileSize, expected);
            Header h = decoded.header();
            SectionFile.Sections body = new SectionFile.Sections(channel, file, decoded.sections());
            Vectors.ensureRoom(h.count(), h.dim());
            float[] data = new float[Vectors.floatsFor(h.count(), h.dim())];
            body.floats("VECTORS", data, (long) h.count() * h.dim());
            List<ReferenceIndex.Entry> entries = SnapshotFormat.entries(body.stream("ENTRIES"), h.count(), file);
            LevelCounts centroidCounts = SnapshotFormat.centroidCounts(body.stream("CENTROID"), h.dim());
            Forest forest;
            try {
                forest = Forest.of(new Forest.Layout(
                        h.metric(),
                        h.dim(),
                        h.forestSize(),
                        h.leafSize(),
                        body.ints("ROOTS"),
                        body.ints("POSITIVE"),
                        body.ints("NEGATIVE"),
                        body.floats("PLANES"),
                        body.floats("OFFSETS"),
                        body.ints("LEAFSTRT"),
                        body.ints("LEAFITEM")));
            } catch (IllegalArgumentException bad) {
                throw new IOException(file + " is corrupt: " + bad.getMessage(), bad);
            }
            LiveIndex live = new LiveIndex(
                    Vectors.wrap(h.metric(), h.dim(), data, h.count()),
                    h.trees(),
                    seed,
                    h.leafSize(),
                    rebuildFraction,
                    rebuildInterval,
                    listener);
            live.restore(forest, h.indexVersion());
            ReferenceIndex ref = new ReferenceIndex(h.modelId(), h.modelVersion(), live);
            ref.restoreEntries(entries);
            if (!centroidCounts.equals(ref.counts())) {
                throw new IOException(file + " is corrupt: its CENTROID section counts " + centroidCounts
                        + " labelled vectors, its ENTRIES " + ref.counts());
            }
            ref.seen(h.firstSeen());
            if (h.complete()) {
                ref.markComplete();
            }
            return new Loaded(ref, h.offsets(), file);
        } catch (EOFException | UTFDataFormatException | IllegalArgumentException e) {
            throw new IOException(file + " is corrupt: " + e, e);
        }
    }
}
