package io.xraydrift.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 proxy for fault injection: it reads the first request line of each new
 * connection and, when the drop rule says so, resets the connection (what a client sees while a
 * registry restarts or a load balancer drops it); otherwise it forwards bytes both ways to the
 * target. Later requests on a kept-alive connection are not inspected.
 */
public final class DroppingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final URI target;
    private volatile Predicate<String> drop;
    private final AtomicInteger dropped = new AtomicInteger();

    /** @param drop decides, from a connection's first request line (e.g. "GET /apis/... HTTP/1.1"), to reset it */
    public DroppingProxy(String targetUrl, Predicate<String> drop) throws IOException {
        this.target = URI.create(targetUrl);
        this.drop = drop;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "dropping-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** Drops the first {@code n} connections, then forwards. */
    public static DroppingProxy droppingFirst(String targetUrl, int n) throws IOException {
        AtomicInteger left = new AtomicInteger(n);
        return new DroppingProxy(targetUrl, line -> left.getAndDecrement() > 0);
    }

    /** From now on, drop what this rule says. */
    public void dropWhen(Predicate<String> rule) {
        this.drop = rule;
    }

    /** Connections reset so far. */
    public int dropped() {
        return dropped.get();
    }

    /** The target URL with the proxy's port. */
    public String url() {
        return target.getScheme() + "://127.0.0.1:" + server.getLocalPort() + target.getRawPath();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> handle(client), "dropping-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void handle(Socket client) {
        try {
            InputStream in = client.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                if (b == '\n') {
                    break;
                }
            }
            String line = head.toString(StandardCharsets.ISO_8859_1).trim();
            if (drop.test(line)) {
                dropped.incrementAndGet();
                client.setSoLinger(true, 0); // a reset, not a polite close
                client.close();
                return;
            }
            Socket upstream = new Socket(target.getHost(), target.getPort());
            upstream.getOutputStream().write(head.toByteArray());
            pipe(client, upstream);
            pipe(upstream, client);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // one side closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "dropping-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
