package io.xraydrift.alertout;

import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.Settings;

/** Entry point of the alert-out service: configuration from the environment, then the shared start/stop shape. */
public final class AlertOutApp {

    private AlertOutApp() {}

    public static void main(String[] args) {
        ServiceRunner.main(AlertOutConfig.SERVICE, () -> {
            AlertOutConfig config = AlertOutConfig.from(Settings.load());
            ServiceRunner.run(new AlertOutService(config));
        });
    }
}
