package io.xraydrift.indexer.service;

import io.xraydrift.events.ScanEmbedded;
import io.xraydrift.indexer.IndexerConfig;
import io.xraydrift.indexer.forest.LiveIndex;
import io.xraydrift.indexer.reference.ModelKey;
import io.xraydrift.indexer.reference.ReferenceIndex;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexer's reference indexes, one per model version ({@code id@version}), and the store
 * side's rule: a labelled scan joins its version's index; a version whose index holds
 * {@link IndexerConfig#minCohort()} scans is complete; the newest complete version answers
 * ({@link ReferenceIndex#answering}), whatever order the topic was read in.
 */
final class ReferenceIndexes {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceIndexes.class);

    private final Map<String, ReferenceIndex> indexes = new ConcurrentHashMap<>();
    private final IndexerConfig config;
    private final BiConsumer<LiveIndex.Built, Integer> rebuilt;

    ReferenceIndexes(IndexerConfig config, BiConsumer<LiveIndex.Built, Integer> rebuilt) {
        this.config = config;
        this.rebuilt = rebuilt;
    }

    /**
     * Adds a labelled scan (its vector already checked) to its version's index, creating the
     * index on the version's first scan. Throws {@link IllegalArgumentException} when the vector
     * does not fit the index: the scan is not indexed.
     */
    void add(ScanEmbedded e, float[] vector) {
        ReferenceIndex ref = indexes.computeIfAbsent(
                ModelKey.of(e.getModel()).toString(),
                k -> new ReferenceIndex(
                        e.getModel().getId(),
                        e.getModel().getVersion(),
                        config.metric(),
                        e.getModel().getDimension(),
                        config.trees(),
                        42,
                        config.rebuildFraction(),
                        config.rebuildInterval(),
                        rebuilt::accept));
        ref.add(
                e.getScanId(),
                e.getPatient(),
                e.getReferenceLabel(),
                e.getReferenceSeverity() == null ? Double.NaN : e.getReferenceSeverity(),
                vector);
        ref.seen(e.getEmbeddedAt().toEpochMilli());
        ref.modelLevels(e.getModel().getInfectedThreshold(), e.getModel().getSevereThreshold());
        if (ref.size() >= config.minCohort() && !ref.complete()) {
            ref.markComplete();
            LOG.info(
                    "model {} version {} holds its labelled cohort ({} scans): it answers from now on",
                    ref.modelId(),
                    ref.modelVersion(),
                    ref.size());
        }
    }

    /** The key of the version that answers now; null while there is none. */
    String answering() {
        return ReferenceIndex.answering(indexes);
    }

    /** The indexes by key (live view). */
    Map<String, ReferenceIndex> map() {
        return indexes;
    }
}
