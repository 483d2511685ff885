package dev.rollout.metrics;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * A real Prometheus scrapes the application's /q/metrics on the management port every second, with the
 * shipped rule file loaded, and the controller's series are queryable through its HTTP API, including a finished rollout's series
 * going away.
 */
@QuarkusTest
class PrometheusScrapeTest {

    static Process prometheus;
    static Path dir;
    static String api;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Started from the test, once the application's HTTP port is known. */
    static void startPrometheus() throws Exception {
        dir = Files.createTempDirectory("prometheus-scrape-test");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: rollout-controller
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(RuleFilesTest.RULES.toAbsolutePath(), Metrics.managementPort()));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        api = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> get("/-/ready").statusCode() == 200);
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theControllersSeriesAreScrapedAndQueryable() throws Exception {
        startPrometheus();
        String planName = unique("scraped");
        createPlan(plan(planName, "AUTOMATIC", "PAUSE", seedSteps("PT1H")));
        String target = unique("svc");
        String id = startRollout(planName, target);
        await().atMost(Duration.ofSeconds(60)).until(() -> ((Number) Api.get(id).path("stepIndex")).intValue() == 0);
        Api.advance(id).then().statusCode(409); // too early

        String rollout = "{rollout_id=\"" + id + "\"}";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(5.0, value("rollout_percentage" + rollout), () -> diagnosis(id)));
        assertEquals(target, query("rollout_percentage" + rollout).get(0).path("metric").path("target").asText());
        assertEquals("AUTOMATIC", query("rollout_percentage" + rollout).get(0).path("metric").path("mode").asText());
        assertEquals(3600.0, value("rollout_step_dwell_seconds" + rollout));
        assertEquals(0.0, value("rollout_paused" + rollout));
        assertTrue(value("time() - rollout_dwell_started_timestamp_seconds" + rollout) < 600);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                value("rollout_step_transitions_total{plan=\"" + planName + "\"}") == 1.0
                && value("rollout_advance_refusals_total{reason=\"too-early\",plan=\"" + planName + "\"}") == 1.0);
        assertFalse(query("rollout_violations_total{policy=\"PAUSE\"}").isEmpty());
        assertFalse(query("rollout_outbox_backlog{channel=\"grafana\"}").isEmpty());
        assertFalse(query("rollout_outbox_oldest_pending_age_seconds{channel=\"webhook\"}").isEmpty());
        assertFalse(query("rollout_outbox_delivery_failures_total{channel=\"grafana\"}").isEmpty());
        assertFalse(query("rollout_outbox_deliveries_total{channel=\"grafana\",outcome=\"delivered\"}").isEmpty());
        // The shipped rules are loaded and evaluated against these series.
        JsonNode groups = JSON.readTree(get("/api/v1/rules").body()).path("data").path("groups");
        assertEquals("rollout-controller", groups.get(0).path("name").asText());
        assertEquals("ok", groups.get(0).path("rules").get(0).path("health").asText());

        // Every query of the shipped dashboard is valid PromQL; the gauge panels already show data
        // (rates need a few minutes of samples).
        for (String expr : dev.rollout.grafana.GrafanaAssetsTest.promqlExpressions()) {
            JsonNode result = query(expr);
            if (!expr.contains("rate(") && !expr.contains("increase(")) {
                assertFalse(result.isEmpty(), "dashboard query has data: " + expr);
            }
        }

        // A finished rollout leaves the gauges: gone from /q/metrics, and stale in Prometheus.
        Api.command(id, "abort", "done watching").then().statusCode(200);
        assertFalse(Metrics.scrape().asString().contains(id), "no series of a finished rollout");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> query("rollout_percentage" + rollout).isEmpty());
    }

    /** What Prometheus says of its target, and what the application exposes of the rollout. */
    private static String diagnosis(String id) {
        try {
            return get("/api/v1/targets").body() + "\n" + Metrics.scrape().asString().lines()
                    .filter(l -> l.contains(id)).toList();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static JsonNode query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        assertEquals("success", body.path("status").asText(), response.body());
        return body.path("data").path("result");
    }

    private static double value(String promql) throws IOException, InterruptedException {
        JsonNode result = query(promql);
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
