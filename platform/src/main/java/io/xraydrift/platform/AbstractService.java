package io.xraydrift.platform;

import io.xraydrift.platform.http.Health;

/**
 * What the four services share around their own parts: the health checks their shell serves,
 * the shell itself (HTTP endpoint, metrics) once {@link #start()} made it, and the order of a
 * stop — readiness false at once, the service's own parts ({@link #stopParts()}: finish or abandon
 * the batch in hand, commit, close clients), then the shell, so health answers until the end.
 */
public abstract class AbstractService implements Service {

    protected final Health health = new Health();
    protected volatile ServiceShell shell;

    @Override
    public boolean live() {
        return health.live();
    }

    /** Port of the HTTP endpoint (health, metrics and the service's own routes). */
    public int httpPort() {
        return shell.httpPort();
    }

    @Override
    public void close() {
        health.stopping();
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
