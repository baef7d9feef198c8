package io.xraydrift.platform;

import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.http.Health;

/**
 * A service that runs the shared shell only: bootstrap step, health, metrics, HTTP. Each service's
 * {@code main} starts one while its own processing is not built yet, so deployments, health checks
 * and the compose file already exercise the real start/stop path.
 */
public final class ShellService implements Service {

    private final ServiceConfig config;
    private final Health health = new Health();
    private volatile ServiceShell shell;

    public ShellService(ServiceConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return config.service();
    }

    @Override
    public void start() {
        shell = ServiceShell.start(config, health, routes -> {});
        health.register("kafka-bootstrap", () -> true);
    }

    /** The HTTP port, once started. */
    public int httpPort() {
        return shell.httpPort();
    }

    @Override
    public void close() {
        ServiceShell s = shell;
        if (s != null) {
            s.close();
        }
    }
}
