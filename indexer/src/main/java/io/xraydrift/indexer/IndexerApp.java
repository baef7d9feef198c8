package io.xraydrift.indexer;

import io.xraydrift.indexer.service.IndexerService;
import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.Settings;

/** Entry point of the indexer service: configuration from the environment, then the shared start/stop shape. */
public final class IndexerApp {

    private IndexerApp() {}

    public static void main(String[] args) {
        ServiceRunner.main(
                IndexerConfig.SERVICE,
                () -> ServiceRunner.run(new IndexerService(IndexerConfig.from(Settings.load()))));
    }
}
