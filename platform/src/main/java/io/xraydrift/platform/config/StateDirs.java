package io.xraydrift.platform.config;

import java.nio.file.Path;

/**
 * Where a service keeps its state when the deployment does not say: outside the working directory
 * (a checkout, a service's current folder) and private to the user — {@code $XDG_STATE_HOME/xray-drift/SERVICE},
 * by default {@code ~/.local/state/xray-drift/SERVICE}. Containers and hospital installs set the
 * folder explicitly (the Dockerfile: {@code /data/SERVICE}).
 */
public final class StateDirs {

    private StateDirs() {}

    /** The default state folder of {@code service}. */
    public static Path defaultFor(String service) {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("xray-drift").resolve(service);
    }

    /** The default as the guide shows it. */
    public static String shown(String service) {
        return "`~/.local/state/xray-drift/" + service + "` (`$XDG_STATE_HOME/xray-drift/" + service + "`)";
    }
}
