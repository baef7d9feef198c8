package io.xraydrift.indexer.service;

import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.reference.ReferenceIndex;
import io.xraydrift.schemas.Topics;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's snapshot directory: one file per model version's index ({@link SnapshotFile}),
 * all covering the same offsets of the store's read of {@code xray.embeddings}. A set that cannot
 * be used as a whole is not used at all: the indexes are rebuilt from the topic.
 */
final class SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    private final IndexerConfig config;
    private final BiConsumer<LiveIndex.Built, Integer> rebuilt;

    SnapshotStore(IndexerConfig config, BiConsumer<LiveIndex.Built, Integer> rebuilt) {
        this.config = config;
        this.rebuilt = rebuilt;
    }

    /**
     * Loads every snapshot into {@code into} (by model key) and returns the offsets they cover,
     * by partition; empty when there is nothing usable (read the topic from the beginning).
     */
    Map<Integer, Long> load(Map<String, ReferenceIndex> into) {
        Path dir = config.snapshotDir();
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        List<SnapshotFile.Loaded> loaded = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SnapshotFile.SUFFIX)) {
            for (Path file : files) {
                try {
                    loaded.add(SnapshotFile.read(
                            file,
                            new SnapshotFile.Expectation(config.metric(), config.trees()),
                            42,
                            config.rebuildFraction(),
                            config.rebuildInterval(),
                            rebuilt::accept));
                } catch (IOException | RuntimeException e) {
                    LOG.warn(
                            "snapshot {} not used ({}); rebuilding from {}",
                            file,
                            e.getMessage(),
                            Topics.EMBEDDINGS.name());
                    loaded.forEach(x -> x.index().close());
                    return Map.of();
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list snapshots in {}: {}", dir, e.toString());
            return Map.of();
        }
        Map<Integer, Long> offsets = null;
        for (SnapshotFile.Loaded l : loaded) {
            if (offsets != null && !offsets.equals(l.offsets())) {
                LOG.warn("snapshots in {} cover different offsets; rebuilding from {}", dir, Topics.EMBEDDINGS.name());
                loaded.forEach(x -> x.index().close());
                return Map.of();
            }
            offsets = l.offsets();
        }
        for (SnapshotFile.Loaded l : loaded) {
            into.put(l.index().key().toString(), l.index());
            LOG.info(
                    "loaded snapshot {}: {} labelled vectors, index version {}",
                    l.file(),
                    l.index().size(),
                    l.index().index().built().version());
        }
        return offsets == null ? Map.of() : offsets;
    }

    /** Writes each index's snapshot, covering the store's {@code offsets}; a failure is logged, not thrown. */
    void write(Collection<ReferenceIndex> indexes, Map<Integer, Long> offsets) {
        for (ReferenceIndex ref : indexes) {
            try {
                Path file = SnapshotFile.write(config.snapshotDir(), ref, offsets);
                LOG.info("snapshot {} written: {} vectors", file, ref.size());
            } catch (IOException e) {
                LOG.warn("snapshot of {} failed: {}", ref.key(), e.toString());
            }
        }
    }
}
