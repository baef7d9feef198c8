package io.xraydrift.drift;

import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.Settings;

/** Entry point of the drift-monitor service: configuration from the environment, then the shared start/stop shape. */
public final class DriftMonitorApp {

    private DriftMonitorApp() {}

    public static void main(String[] args) {
        ServiceRunner.main(DriftMonitorConfig.SERVICE, () -> {
            DriftMonitorConfig config = DriftMonitorConfig.from(Settings.load());
            ServiceRunner.run(new DriftMonitorService(config));
        });
    }
}
