package io.xraydrift.embedder;

import io.xraydrift.embedder.service.EmbedderService;
import io.xraydrift.platform.ServiceRunner;
import io.xraydrift.platform.config.Settings;
import java.util.Map;

/** Entry point of the embedder service: configuration from the environment, then the shared start/stop shape. */
public final class EmbedderApp {

    private EmbedderApp() {}

    public static void main(String[] args) {
        ServiceRunner.main(EmbedderConfig.SERVICE, () -> {
            Settings settings = Settings.load();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--backfill")) {
                    settings = settings.with(Map.of(EmbedderConfig.BACKFILL.name(), "true"));
                } else if (args[i].equals("--model") && i + 1 < args.length) {
                    settings = settings.with(Map.of(EmbedderConfig.MODEL.name(), args[++i]));
                }
            }
            ServiceRunner.run(new EmbedderService(EmbedderConfig.from(settings)));
        });
    }
}
