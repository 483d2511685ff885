package dev.rollout.support.monitoring;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A scrape target serving {@code /metrics} in the Prometheus text format on 127.0.0.1. Series can be
 * set and removed while it runs; {@link #stop()} makes the target go down (its {@code up} becomes
 * 0) and {@link #start()} brings it back on the same port.
 */
public final class FakeTarget implements AutoCloseable {

    private final Map<String, Double> series = new ConcurrentSkipListMap<>();
    private int port;
    private HttpServer server;

    public FakeTarget() {
        start();
    }

    /** Sets a series, e.g. {@code set("genesis_tests_total_total", 7)} or {@code set("x{code=\"500\"}", 1)}. */
    public FakeTarget set(String seriesWithLabels, double value) {
        series.put(seriesWithLabels, value);
        return this;
    }

    public FakeTarget remove(String seriesWithLabels) {
        series.remove(seriesWithLabels);
        return this;
    }

    /** {@code 127.0.0.1:port}, the form used in scrape configs. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        port = server.getAddress().getPort();
        server.createContext("/metrics", exchange -> {
            StringBuilder body = new StringBuilder();
            series.forEach((name, value) -> body.append(name).append(' ').append(format(value)).append('\n'));
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }
}
