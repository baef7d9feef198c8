package io.xraydrift.testing;

import io.xraydrift.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** A service's settings on the local stack, as the environment variables a deployment sets. */
public final class ServiceEnv {

    private ServiceEnv() {}

    /**
     * The broker, the registry, HTTP on loopback at a port the service picks, and the instance id;
     * a mutable map the test adds the service's own settings to.
     */
    public static Map<String, String> onStack(LocalStack stack, String instance) {
        Map<String, String> env = new HashMap<>();
        env.put("XRAY_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("XRAY_REGISTRY_URL", stack.registryBaseUrl());
        env.put("XRAY_HTTP_HOST", "127.0.0.1");
        env.put("XRAY_HTTP_PORT", "0");
        env.put("XRAY_INSTANCE_ID", instance);
        return env;
    }

    /** These settings as a file a command's {@code --config} (or XRAY_CONFIG_FILE) reads: KEY=VALUE lines. */
    public static Path configFile(Map<String, String> settings, Path dir) {
        try {
            Path file = Files.createTempFile(dir, "xray-", ".properties");
            Properties p = new Properties();
            p.putAll(settings);
            try (var out = Files.newBufferedWriter(file)) {
                p.store(out, null);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
