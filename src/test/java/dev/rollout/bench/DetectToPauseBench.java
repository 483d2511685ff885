package dev.rollout.bench;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.it.AppProcess;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.TestDatabase;
import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.monitoring.MonitoringStack;

/**
 * Benchmark, not a test: detect→pause latency, from the moment Alertmanager lists a firing alert to the
 * rollout being PAUSED, with the packaged service evaluating every second. Run it with
 * {@code deploy/bench/detect-to-pause}; it prints min/median/max over {@code bench.runs} runs.
 */
class DetectToPauseBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void detectToPause() throws Exception {
        int runs = Integer.getInteger("bench.runs", 10);
        String interval = System.getProperty("bench.interval", "1s");
        TestDatabase.Location db = TestDatabase.fresh("rollout_bench");
        try (FakeTarget target = new FakeTarget()) {
            target.start();
            target.set("genesis_test_suite_running", 1);
            try (MonitoringStack monitoring = MonitoringStack.start(Map.of("genesis-orchestrator", target.address()))) {
                monitoring.writeRules(MonitoringResource.TEST_SUITE_RULES);
                Map<String, String> env = new HashMap<>(AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password()));
                env.put("ROLLOUT_PROMETHEUS_URL", monitoring.prometheusUrl());
                env.put("ROLLOUT_ALERTMANAGER_URL", monitoring.alertmanagerUrl());
                env.put("ROLLOUT_EVALUATION_INTERVAL", interval);
                try (AppProcess app = AppProcess.start("bench", env)) {
                    List<Long> latencies = new ArrayList<>();
                    for (int run = 1; run <= runs; run++) {
                        latencies.add(oneRun(app, monitoring, target, run));
                    }
                    Collections.sort(latencies);
                    System.out.printf("detect->pause over %d runs at a %s evaluation interval: min %d ms, median %d ms, max %d ms%n",
                            runs, interval, latencies.get(0), latencies.get(latencies.size() / 2),
                            latencies.get(latencies.size() - 1));
                    System.out.println("all runs (ms): " + latencies);
                }
            }
        }
    }

    private static long oneRun(AppProcess app, MonitoringStack monitoring, FakeTarget target, int run) throws Exception {
        target.set("genesis_test_suite_running", 1);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !alertmanagerLists(monitoring));
        String plan = "bench-" + run + "-" + System.nanoTime();
        app.post("/api/v1/plans", Map.of("name", plan, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"), Map.of("percentage", 100, "minDwell", "PT0S")),
                "gates", List.of(Map.of("name", "no-alerts", "kind", "no-firing-alerts",
                        "matchers", List.of("severity=~\"warning|critical\"")))));
        String id = app.post("/api/v1/rollouts", Map.of("plan", plan, "target", plan, "version", "v1")).json().get("id").asText();
        app.post("/api/v1/rollouts/" + id + "/advance", Map.of());
        target.set("genesis_test_suite_running", 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> alertmanagerLists(monitoring));
        long listed = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> "PAUSED".equals(app.get("/api/v1/rollouts/" + id).json().get("state").asText()));
        long latency = (System.nanoTime() - listed) / 1_000_000;
        app.post("/api/v1/rollouts/" + id + "/abort", Map.of("reason", "benchmark run over"));
        return latency;
    }

    private static boolean alertmanagerLists(MonitoringStack monitoring) throws Exception {
        String filter = URLEncoder.encode("alertname=\"TestSuiteNotRunning\"", StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(monitoring.alertmanagerUrl()
                + "/api/v2/alerts?active=true&silenced=false&inhibited=false&filter=" + filter)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body().contains("TestSuiteNotRunning");
    }
}
