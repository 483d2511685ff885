package dev.rollout.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.rollout.it.AppProcess;
import dev.rollout.support.TestDatabase;
import dev.rollout.support.monitoring.MonitoringStack;

/**
 * Benchmark, not a test: push detection latency, from Alertmanager sending its webhook notification to the
 * rollout PAUSED, at a 15 s evaluation interval (so the push, not the tick, is what acts). Alertmanager's
 * notifications pass through a loopback relay that notes when each one left Alertmanager; the end is the
 * {@code gate_violation} event's time in the history. Run it with {@code deploy/bench/push-detection}; it
 * prints min/median/max over {@code bench.runs} runs.
 */
class PushDetectionBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void pushDetection() throws Exception {
        int runs = Integer.getInteger("bench.runs", 10);
        String interval = System.getProperty("bench.interval", "15s");
        TestDatabase.Location db = TestDatabase.fresh("rollout_bench_push");
        Map<String, Instant> sentAt = new ConcurrentHashMap<>();
        try (MonitoringStack monitoring = MonitoringStack.start(Map.of())) {
            Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
            env.put("ROLLOUT_PROMETHEUS_URL", monitoring.prometheusUrl());
            env.put("ROLLOUT_ALERTMANAGER_URL", monitoring.alertmanagerUrl());
            env.put("ROLLOUT_EVALUATION_INTERVAL", interval);
            env.put("ROLLOUT_WATCH_LEASE", Duration.parse("PT" + interval).multipliedBy(3).toString());
            try (AppProcess app = AppProcess.start("bench-push", env)) {
                HttpServer relay = relay(app.baseUrl() + "/api/v1/alertmanager/webhook", sentAt);
                try {
                    String token = app.post("/api/v1/tokens", Map.of("name", "alertmanager", "role", "viewer"))
                            .json().get("token").asText();
                    monitoring.sendNotificationsTo("http://127.0.0.1:" + relay.getAddress().getPort() + "/", token);
                    List<Long> latencies = new ArrayList<>();
                    for (int run = 1; run <= runs; run++) {
                        latencies.add(oneRun(app, monitoring, sentAt, run));
                    }
                    Collections.sort(latencies);
                    System.out.printf("push->pause over %d runs at a %s evaluation interval: min %d ms, median %d ms, max %d ms%n",
                            runs, interval, latencies.get(0), latencies.get(latencies.size() / 2),
                            latencies.get(latencies.size() - 1));
                    System.out.println("all runs (ms): " + latencies);
                } finally {
                    relay.stop(0);
                }
            }
        }
    }

    private static long oneRun(AppProcess app, MonitoringStack monitoring, Map<String, Instant> sentAt, int run)
            throws Exception {
        String runLabel = "r" + run + "-" + System.nanoTime();
        app.post("/api/v1/plans", Map.of("name", runLabel, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"), Map.of("percentage", 100, "minDwell", "PT0S")),
                "gates", List.of(Map.of("name", "no-alerts", "kind", "no-firing-alerts",
                        "matchers", List.of("alertname=\"BenchPush\"", "run=\"" + runLabel + "\"")))));
        String id = app.post("/api/v1/rollouts", Map.of("plan", runLabel, "target", runLabel, "version", "v1"))
                .json().get("id").asText();
        app.post("/api/v1/rollouts/" + id + "/advance", Map.of());
        monitoring.fireAlert(Map.of("alertname", "BenchPush", "run", runLabel, "severity", "critical"),
                Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> "PAUSED".equals(app.get("/api/v1/rollouts/" + id).json().get("state").asText()));
        Instant paused = null;
        for (JsonNode event : app.get("/api/v1/rollouts/" + id + "/history").json()) {
            if ("gate_violation".equals(event.path("action").asText())) {
                paused = Instant.parse(event.path("at").asText());
            }
        }
        Instant sent = sentAt.get(runLabel);
        if (paused == null || sent == null) {
            throw new IllegalStateException("run " + run + ": no notification or no violation recorded");
        }
        app.post("/api/v1/rollouts/" + id + "/abort", Map.of("reason", "benchmark run over"));
        return Duration.between(sent, paused).toMillis();
    }

    /** Passes Alertmanager's notifications on to {@code target}, noting when each run's first one arrived. */
    private static HttpServer relay(String target, Map<String, Instant> sentAt) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Instant arrived = Instant.now();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            for (JsonNode alert : JSON.readTree(body).path("alerts")) {
                sentAt.putIfAbsent(alert.path("labels").path("run").asText(), arrived);
            }
            int status;
            try {
                status = HTTP.send(HttpRequest.newBuilder(URI.create(target))
                        .header("Content-Type", "application/json")
                        .header("Authorization", exchange.getRequestHeaders().getFirst("Authorization"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
