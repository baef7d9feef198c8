package io.xraydrift.ingest;

import io.xraydrift.ingest.service.IngestService;
import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.Settings;

/** Entry point of the ingest service: configuration from the environment, then the shared start/stop shape. */
public final class IngestApp {

    private IngestApp() {}

    public static void main(String[] args) {
        ServiceRunner.main(IngestConfig.SERVICE, () -> {
            IngestConfig config = IngestConfig.from(Settings.load());
            ServiceRunner.run(new IngestService(config));
        });
    }
}
