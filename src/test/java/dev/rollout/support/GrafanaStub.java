package dev.rollout.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for Grafana's annotations HTTP API on 127.0.0.1 (no Grafana package is available to test
 * against). It checks what real Grafana requires of {@code POST /api/annotations} (a Bearer token, a JSON
 * body with an epoch-millisecond {@code time}, string {@code tags}, a {@code text}, optional
 * {@code dashboardUID}/{@code panelId}/{@code timeEnd}, nothing else), stores what it accepts, and answers
 * {@code GET /api/annotations?tags=..&tags=..} with the annotations carrying all the given tags, as Grafana
 * does. Tests can make it fail (503), hold requests, or drop its answer after storing.
 */
public final class GrafanaStub {

    /** The service-account token the application is configured with; fresh each run, so the leak test can look for it. */
    public static final String TOKEN = "glsa_" + java.util.UUID.randomUUID().toString().replace("-", "");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("time", "timeEnd", "tags", "text", "dashboardUID", "panelId");

    /** One annotation as Grafana stored it. */
    public record Stored(long id, long time, List<String> tags, String text, JsonNode body) {
        public boolean has(String tag) {
            return tags.contains(tag);
        }
    }

    /** One request as received. */
    public record Received(String method, String uri, String authorization, String contentType, String body,
            int status) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicLong ids = new AtomicLong();
    private final List<Stored> stored = new ArrayList<>();
    private final List<Received> received = new ArrayList<>();
    private final List<String> shapeErrors = new ArrayList<>();

    private volatile boolean down;
    private volatile Predicate<JsonNode> hold = b -> false;
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final AtomicLong holding = new AtomicLong();
    private volatile Predicate<JsonNode> dropAnswer = b -> false;

    public GrafanaStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void stop() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- what tests control ---------------------------------------------------------------------

    /** Grafana is down: every request gets 503 and nothing is stored. */
    public void down() {
        down = true;
    }

    public void up() {
        down = false;
    }

    /** Store matching annotations at once but hold the answer until {@link #releaseHeld()}: a slow Grafana. */
    public void holdWhen(Predicate<JsonNode> matching) {
        release = new CountDownLatch(1);
        hold = matching;
    }

    public void releaseHeld() {
        hold = b -> false;
        release.countDown();
    }

    /** Requests being held right now. */
    public long holding() {
        return holding.get();
    }

    /** Store matching annotations, then close the connection without answering: the answer is lost. */
    public void dropAnswerWhen(Predicate<JsonNode> matching) {
        dropAnswer = matching;
    }

    public void reset() {
        up();
        releaseHeld();
        dropAnswer = b -> false;
    }

    // ---- what tests read ------------------------------------------------------------------------

    public synchronized List<Stored> annotationsTagged(String... tags) {
        return stored.stream().filter(s -> s.tags().containsAll(List.of(tags))).toList();
    }

    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    /** Accepted POSTs (each created an annotation) that carried all these tags. */
    public synchronized List<Received> postsTagged(String... tags) {
        return received.stream().filter(r -> r.method().equals("POST") && r.status() == 200).filter(r -> {
            try {
                List<String> has = new ArrayList<>();
                JSON.readTree(r.body()).path("tags").forEach(t -> has.add(t.asText()));
                return has.containsAll(List.of(tags));
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    public synchronized List<String> shapeErrors() {
        return List.copyOf(shapeErrors);
    }

    // ---- the API --------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String method = exchange.getRequestMethod();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String path = exchange.getRequestURI().getPath();
        int status;
        String answer;
        JsonNode parsed = null;
        if (down) {
            status = 503;
            answer = "{\"message\":\"Service unavailable\"}";
        } else if (!("Bearer " + TOKEN).equals(auth)) {
            status = 401;
            answer = "{\"message\":\"Unauthorized\"}";
            shape("request without the Bearer token: " + method + " " + path);
        } else if (!path.equals("/api/annotations")) {
            status = 404;
            answer = "{\"message\":\"Not found\"}";
        } else if (method.equals("GET")) {
            status = 200;
            answer = find(exchange.getRequestURI().getRawQuery()).toString();
        } else if (method.equals("POST")) {
            List<String> errors = new ArrayList<>();
            if (contentType == null || !contentType.startsWith("application/json")) {
                errors.add("Content-Type is " + contentType);
            }
            try {
                parsed = JSON.readTree(body);
                errors.addAll(check(parsed));
            } catch (IOException e) {
                errors.add("body is not JSON");
            }
            if (!errors.isEmpty()) {
                errors.forEach(this::shape);
                status = 400;
                answer = "{\"message\":\"bad request\"}";
            } else {
                long id = store(parsed);
                status = 200;
                answer = "{\"message\":\"Annotation added\",\"id\":" + id + "}";
            }
        } else {
            status = 405;
            answer = "{\"message\":\"Method not allowed\"}";
        }
        synchronized (this) {
            received.add(new Received(method, exchange.getRequestURI().toString(), auth, contentType, body, status));
        }
        if (status == 200 && parsed != null && dropAnswer.test(parsed)) {
            exchange.close(); // stored, but the caller never hears so
            return;
        }
        if (status == 200 && parsed != null && hold.test(parsed)) {
            holding.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                holding.decrementAndGet();
            }
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the caller gave up waiting
        }
    }

    private static List<String> check(JsonNode body) {
        List<String> errors = new ArrayList<>();
        if (!body.isObject()) {
            return List.of("body is not an object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add("unknown field " + f);
            }
        });
        JsonNode time = body.get("time");
        if (time == null || !time.isIntegralNumber() || time.asLong() < 1_000_000_000_000L) {
            errors.add("time must be epoch milliseconds, got " + time);
        }
        if (body.has("timeEnd") && !body.get("timeEnd").isIntegralNumber()) {
            errors.add("timeEnd must be epoch milliseconds");
        }
        JsonNode tags = body.get("tags");
        if (tags == null || !tags.isArray()) {
            errors.add("tags must be a list of strings");
        } else {
            tags.forEach(t -> {
                if (!t.isTextual() || t.asText().isBlank()) {
                    errors.add("tag is not a non-empty string: " + t);
                }
            });
        }
        if (!body.path("text").isTextual() || body.path("text").asText().isBlank()) {
            errors.add("text must be a non-empty string");
        }
        if (body.has("dashboardUID") && !body.get("dashboardUID").isTextual()) {
            errors.add("dashboardUID must be a string");
        }
        if (body.has("panelId") && !body.get("panelId").isIntegralNumber()) {
            errors.add("panelId must be a number");
        }
        return errors;
    }

    private synchronized long store(JsonNode body) {
        long id = ids.incrementAndGet();
        List<String> tags = new ArrayList<>();
        body.path("tags").forEach(t -> tags.add(t.asText()));
        stored.add(new Stored(id, body.get("time").asLong(), tags, body.get("text").asText(), body));
        return id;
    }

    private synchronized ArrayNode find(String rawQuery) {
        List<String> tags = new ArrayList<>();
        Long from = null;
        Long to = null;
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                switch (key) {
                    case "tags" -> tags.add(value);
                    case "from" -> from = Long.parseLong(value);
                    case "to" -> to = Long.parseLong(value);
                    default -> {
                    }
                }
            }
        }
        ArrayNode out = JSON.createArrayNode();
        for (Stored s : stored) {
            if (s.tags().containsAll(tags) && (from == null || s.time() >= from) && (to == null || s.time() <= to)) {
                ObjectNode a = out.addObject();
                a.put("id", s.id());
                a.put("time", s.time());
                a.put("timeEnd", s.time());
                a.put("text", s.text());
                ArrayNode t = a.putArray("tags");
                s.tags().forEach(t::add);
            }
        }
        return out;
    }

    private synchronized void shape(String error) {
        shapeErrors.add(error);
    }
}
