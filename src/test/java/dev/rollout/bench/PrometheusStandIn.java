package dev.rollout.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback stand-in for Prometheus' instant query API ({@code GET/POST /api/v1/query}) that answers
 * {@code up{job="svc-K"}} with one vector sample, 1 while job K is up and 0 once it is marked down.
 * It records when each request arrived and which query it carried, so the benchmark can count the
 * requests of each watch tick itself. Anything else gets an empty vector.
 */
final class PrometheusStandIn implements AutoCloseable {

    private static final Pattern UP = Pattern.compile("up\\{job=\"svc-(\\d+)\"\\}");
    /** The log of requests is bounded: a benchmark of minutes at 100 requests per tick stays far below. */
    private static final int MAX_LOGGED = 2_000_000;

    record Request(long atNanos, String query) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "prometheus-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final Set<Integer> down = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean allDown = new AtomicBoolean();
    private final List<Request> log = new ArrayList<>();
    private final AtomicInteger total = new AtomicInteger();

    PrometheusStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.createContext("/api/v1/query", this::answer);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void markDown(int job) {
        down.add(job);
    }

    void markAllDown(boolean value) {
        allDown.set(value);
    }

    void markAllUp() {
        allDown.set(false);
        down.clear();
    }

    int total() {
        return total.get();
    }

    /** The requests received since {@code sinceNanos}, in arrival order. */
    synchronized List<Request> requestsSince(long sinceNanos) {
        return log.stream().filter(r -> r.atNanos() >= sinceNanos).toList();
    }

    /**
     * Splits requests into ticks: a tick's requests arrive together, and ticks are an evaluation interval
     * apart, so a silence of {@code gapNanos} starts a new tick. Answers, per tick, {requests, distinct queries}.
     */
    static List<int[]> perTick(List<Request> requests, long gapNanos) {
        List<int[]> ticks = new ArrayList<>();
        long last = Long.MIN_VALUE;
        int count = 0;
        Set<String> distinct = new HashSet<>();
        for (Request r : requests) {
            if (count > 0 && r.atNanos() - last > gapNanos) {
                ticks.add(new int[] {count, distinct.size()});
                count = 0;
                distinct.clear();
            }
            count++;
            distinct.add(r.query());
            last = r.atNanos();
        }
        if (count > 0) {
            ticks.add(new int[] {count, distinct.size()});
        }
        return ticks;
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = queryOf(exchange);
            total.incrementAndGet();
            synchronized (this) {
                if (log.size() < MAX_LOGGED) {
                    log.add(new Request(System.nanoTime(), query));
                }
            }
            String body;
            Matcher m = query == null ? null : UP.matcher(query);
            if (m != null && m.matches()) {
                int job = Integer.parseInt(m.group(1));
                String value = allDown.get() || down.contains(job) ? "0" : "1";
                body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                        + "{\"__name__\":\"up\",\"job\":\"svc-" + job + "\",\"instance\":\"svc-" + job + ":8080\"},"
                        + "\"value\":[" + System.currentTimeMillis() / 1000.0 + ",\"" + value + "\"]}]}}";
            } else {
                body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String queryOf(HttpExchange exchange) throws IOException {
        String params = exchange.getRequestURI().getRawQuery();
        if ("POST".equals(exchange.getRequestMethod())) {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                params = params == null ? body : params + "&" + body;
            }
        }
        if (params == null) {
            return null;
        }
        return Arrays.stream(params.split("&")).filter(p -> p.startsWith("query="))
                .map(p -> URLDecoder.decode(p.substring("query=".length()), StandardCharsets.UTF_8))
                .findFirst().orElse(null);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
