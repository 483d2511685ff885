package dev.rollout.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Step webhook receivers on 127.0.0.1 (a free port), one path per endpoint the application under test is
 * configured with, each with its own fresh secret. Every call is recorded, answered or not:
 * <ul>
 * <li>{@code /test-hook}, {@code /endpoint-a}, {@code /endpoint-b}: always 204;</li>
 * <li>{@code /always-fails}: always 503;</li>
 * <li>{@code /flaky}: 503 to the first {@link #FLAKY_FAILURES} calls of each delivery, then 204.</li>
 * </ul>
 * Tests share the receivers and tell their calls apart by the rollout id in {@code X-Rollout-Delivery}.
 */
public final class WebhookReceiver {

    public static final List<String> ENDPOINTS = List.of("test-hook", "endpoint-a", "endpoint-b", "always-fails", "flaky");
    public static final int FLAKY_FAILURES = 2;

    /** One call as received. */
    public record Call(String endpoint, byte[] body, String timestamp, String signature, String delivery, int answered) {
    }

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsPerDelivery = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String endpoint : ENDPOINTS) {
            secrets.put(endpoint, (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", ""));
            server.createContext("/" + endpoint, exchange -> handle(endpoint, exchange));
        }
        server.start();
    }

    private void handle(String endpoint, HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String delivery = exchange.getRequestHeaders().getFirst("X-Rollout-Delivery");
        int status = switch (endpoint) {
            case "always-fails" -> 503;
            case "flaky" -> callsPerDelivery.computeIfAbsent(endpoint + "/" + delivery, d -> new AtomicInteger())
                    .incrementAndGet() <= FLAKY_FAILURES ? 503 : 204;
            default -> 204;
        };
        synchronized (calls) {
            calls.add(new Call(endpoint, body, exchange.getRequestHeaders().getFirst("X-Rollout-Timestamp"),
                    exchange.getRequestHeaders().getFirst("X-Rollout-Signature"), delivery, status));
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    public String url(String endpoint) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + endpoint;
    }

    public String secret(String endpoint) {
        return secrets.get(endpoint);
    }

    /** Every call made for a rollout, to any endpoint, in the order received. */
    public List<Call> callsFor(String rolloutId) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.delivery() != null && c.delivery().startsWith(rolloutId + ":"))
                    .toList();
        }
    }

    /** Every call whose body mentions {@code text} (for calls that carry no delivery id). */
    public List<Call> callsMentioning(String text) {
        synchronized (calls) {
            return calls.stream().filter(c -> new String(c.body(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains(text)).toList();
        }
    }

    public void stop() {
        server.stop(0);
    }
}
