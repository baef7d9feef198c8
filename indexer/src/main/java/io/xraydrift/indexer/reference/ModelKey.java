package io.xraydrift.indexer.reference;

import io.xraydrift.events.ModelRef;
import java.util.Objects;

/**
 * Which model version an index belongs to; printed {@code id@version} (the form in logs, the API,
 * snapshot file names and the indexer's map of indexes).
 */
public record ModelKey(String id, String version) {

    public ModelKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
    }

    public static ModelKey of(ModelRef model) {
        return new ModelKey(model.getId(), model.getVersion());
    }

    @Override
    public String toString() {
        return id + "@" + version;
    }
}
