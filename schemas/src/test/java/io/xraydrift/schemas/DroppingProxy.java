package io.xraydrift.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of the real registry that closes the first {@code drop}
 * connections as soon as they are accepted (what a client sees while a registry restarts or a
 * load balancer drops it), then forwards bytes both ways.
 */
final class DroppingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final URI target;
    private final AtomicInteger toDrop;
    final AtomicInteger dropped = new AtomicInteger();

    DroppingProxy(String targetUrl, int drop) throws IOException {
        this.target = URI.create(targetUrl);
        this.toDrop = new AtomicInteger(drop);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "dropping-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** The target URL with the proxy's port. */
    String url() {
        return target.getScheme() + "://127.0.0.1:" + server.getLocalPort() + target.getRawPath();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (toDrop.getAndDecrement() > 0) {
                    dropped.incrementAndGet();
                    client.setSoLinger(true, 0); // reset, not a polite close
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(target.getHost(), target.getPort());
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "dropping-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
