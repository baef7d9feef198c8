package io.xraydrift.cli.ops;

import io.xraydrift.platform.config.Settings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} for the commands that talk to a running pipeline: the same KEY=VALUE
 * settings file a service's {@code XRAY_CONFIG_FILE} names (broker, registry, client security,
 * API token); the environment wins over it.
 */
final class ConfigOption {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Settings file (KEY=VALUE lines, as the services' "
                            + "XRAY_CONFIG_FILE: broker, registry, client security, XRAY_API_TOKEN); the environment wins over it.")
    Path file;

    Settings settings() {
        return Settings.load(file);
    }
}
