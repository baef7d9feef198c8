package io.xraydrift.platform;

import io.xraydrift.platform.config.ServiceConfig;
import io.xraydrift.platform.http.Health;
import io.xraydrift.platform.kafka.ProgressWatch;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the four services share around their own parts: the health checks their shell serves,
 * the shell itself (HTTP endpoint, metrics) once {@link #start()} made it, and the order of a
 * stop — readiness false at once, the service's own parts ({@link #stopParts()}: finish or abandon
 * the batch in hand, commit, close clients), then the shell, so health answers until the end.
 */
public abstract class AbstractService implements Service {

    protected final Health health = new Health();
    protected volatile ServiceShell shell;
    private final List<ProgressWatch> watches = new CopyOnWriteArrayList<>();

    @Override
    public boolean live() {
        return health.live();
    }

    /** Port of the HTTP endpoint (health, metrics and the service's own routes). */
    public int httpPort() {
        return shell.httpPort();
    }

    /**
     * Watches one of the service's consumer groups for stalls (input waiting, nothing committed for
     * {@code XRAY_STALL_AFTER}): readiness check {@code check} goes DOWN naming the partitions, and
     * {@code xray_consumer_stalls_total} counts it. Call after the shell started; closed with the service.
     */
    protected void watchProgress(ServiceConfig common, String group, Set<String> topics, String check) {
        watches.add(common.progressWatch(group, topics)
                .reportTo(health, shell.metrics().registry(), check));
    }

    @Override
    public void close() {
        health.stopping();
        watches.forEach(ProgressWatch::close);
        try {
            stopParts();
        } finally {
            if (shell != null) {
                shell.close();
            }
        }
    }

    /** Stops what the service runs besides its shell; parts not started yet are null. */
    protected abstract void stopParts();
}
