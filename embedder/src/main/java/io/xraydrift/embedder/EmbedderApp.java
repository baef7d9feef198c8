package io.xraydrift.embedder;

import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.ShellService;
import io.xraydrift.platform.config.Settings;

/** Entry point of the embedder service: configuration from the environment, then the shared start/stop shape. */
public final class EmbedderApp {

    private EmbedderApp() {
    }

    public static void main(String[] args) {
        ServiceRunner.main(EmbedderConfig.SERVICE, () -> {
            EmbedderConfig config = EmbedderConfig.from(Settings.load());
            ServiceRunner.run(new ShellService(config.common()));
        });
    }
}
