package dev.rollout.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of a monitoring server or Grafana, so the drill can slow the network
 * down or take the address away without touching the server behind it. Every chunk of the answer is
 * held for {@link #delay(long)} milliseconds after it was read from the server before it is passed on:
 * a slow network in one direction, the one a client waits on. {@link #refuse()} closes the listening
 * socket and every open connection (connection refused, as when a host is gone); {@link #accept()}
 * listens again on the same port.
 */
final class DelayProxy implements AutoCloseable {

    private final String name;
    private final int upstreamPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long delayMillis;
    private volatile ServerSocket listener;

    DelayProxy(String name, int upstreamPort) throws IOException {
        this.name = name;
        this.upstreamPort = upstreamPort;
        ServerSocket first = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        this.port = first.getLocalPort();
        listen(first);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Holds every chunk of every answer this long (0: pass at once). Open connections are slowed too. */
    void delay(long millis) {
        delayMillis = millis;
    }

    /** Closes the listening port and every open connection: clients get connection refused. */
    synchronized void refuse() {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            closeQuietly(current);
        }
        open.forEach(DelayProxy::closeQuietly);
        open.clear();
    }

    /** Listens again on the same port. */
    synchronized void accept() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        listen(socket);
    }

    private void listen(ServerSocket socket) {
        listener = socket;
        Thread acceptor = new Thread(() -> acceptLoop(socket), name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException closed) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 1000);
            } catch (IOException down) {
                closeQuietly(client); // the server behind is down: the client's connection ends at once
                closeQuietly(server);
                continue;
            }
            open.add(client);
            open.add(server);
            pump(client, server, false);
            pump(server, client, true);
        }
    }

    private void pump(Socket from, Socket to, boolean delayed) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    long hold = delayed ? delayMillis : 0;
                    if (hold > 0) {
                        Thread.sleep(hold); // the injected network delay itself
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // either side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, name + "-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        refuse();
    }
}
