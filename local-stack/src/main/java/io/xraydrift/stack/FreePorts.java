package io.xraydrift.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Free loopback ports, and waiting until something listens on one. */
public final class FreePorts {

    private FreePorts() {}

    private static final AtomicInteger NEXT =
            new AtomicInteger((int) (ProcessHandle.current().pid() * 7919 % 1000));

    /**
     * A port that was free on 127.0.0.1 a moment ago, for a server that binds it later (a broker,
     * the registry, a PACS). Taken below the kernel's ephemeral range when it can be: a port from
     * that range (what {@code new ServerSocket(0)} gives) can be taken in between as the source
     * port of any outgoing connection — it happened to a test's service port — while ports below
     * it are only ever taken by a bind. Successive picks walk the range from a per-process start.
     */
    public static int pick() {
        int low = ephemeralLow();
        int from = Math.max(1024, low - 12_000);
        int span = low - from;
        for (int tries = 0; span > 0 && tries < 200; tries++) {
            int port = from + Math.floorMod(NEXT.getAndAdd(1 + (int) (Math.random() * 37)), span);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** The low end of the kernel's ephemeral port range (32768 where it cannot be read). */
    static int ephemeralLow() {
        try {
            // readAllLines, not readString: /proc files report size 0 and readString reads short.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** Blocks until 127.0.0.1:port accepts a TCP connection, or fails naming what it waited for. */
    public static void awaitListening(String what, int port, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(
                            what + " did not listen on 127.0.0.1:" + port + " within " + timeoutMillis + " ms");
                }
                sleep(50);
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
