package dev.rollout.gate;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * A monitoring source that answers some queries very slowly (a loopback stand-in for a Prometheus with an
 * expensive query) must not hold up the rest of the fleet: while those queries hang, a violation of
 * another rollout, on another source, is acted on at once. Plans asking for more monitoring requests than
 * the cap are refused before they can cost anything.
 */
@QuarkusTest
@TestProfile(SlowMonitoringTest.Profile.class)
class SlowMonitoringTest {

    /** Answers any query whose text contains "slow" only once released (or after its read timeout). */
    public static final class SlowPrometheus implements QuarkusTestResourceLifecycleManager {
        static volatile CountDownLatch release = new CountDownLatch(1);
        private HttpServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", SlowPrometheus::answer);
            server.start();
            return Map.of("rollout.sources.slow.prometheus.url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "rollout.sources.slow.prometheus.read-timeout", "60s");
        }

        private static void answer(HttpExchange exchange) throws IOException {
            String query = java.net.URLDecoder.decode(String.valueOf(exchange.getRequestURI().getRawQuery()),
                    StandardCharsets.UTF_8);
            if (query.contains("slow")) {
                try {
                    release.await(50, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = """
                    {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public void stop() {
            release.countDown();
            if (server != null) {
                server.stop(0);
            }
        }
    }

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SlowPrometheus.class));
        }
    }

    @Inject
    RolloutWatch watch;

    @BeforeEach
    void holdWatch() {
        watch.hold();
        SlowPrometheus.release = new CountDownLatch(1);
    }

    @AfterEach
    void releaseWatch() {
        SlowPrometheus.release.countDown();
        watch.release();
    }

    private static String gatedPlan(List<Map<String, Object>> gates) {
        Map<String, Object> body = new HashMap<>(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", gates);
        return createPlan(body);
    }

    private static Map<String, Object> targetUp(String name, String source, String query) {
        Map<String, Object> gate = new HashMap<>(Map.of("name", name, "kind", "target-up", "query", query));
        if (source != null) {
            gate.put("source", source);
        }
        return gate;
    }

    @Test
    void aSlowQueryDoesNotDelayAViolationElsewhere() {
        // Started first, so that the watch meets them first: rollouts whose gates hang on the slow source.
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slow.add(startRollout(gatedPlan(List.of(targetUp("slow-up", "slow", "up{job=\"slow-" + i + "\"}"))),
                    unique("slow")));
        }
        // Then one whose gate fails on the default Prometheus: its policy is to pause.
        String failing = startRollout(gatedPlan(List.of(targetUp("missing-up", null, "up{job=\"no-such-job\"}"))),
                unique("failing"));

        CompletableFuture<RolloutWatch.TickReport> tick = CompletableFuture.supplyAsync(watch::tick);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "PAUSED".equals(Api.get(failing).path("state")));
            assertFalse(tick.isDone(), "the slow queries were still pending when the violation was acted on");
        } finally {
            SlowPrometheus.release.countDown();
        }
        RolloutWatch.TickReport report = tick.join();
        assertEquals(1, report.violations());
        for (String id : slow) {
            Api.get(id).then().body("state", equalTo("PROGRESSING"));
        }
        assertEquals(1, Api.history(failing).stream().filter(e -> e.get("action").equals("gate_violation")).count());
    }

    @Test
    void aPlanAskingForMoreMonitoringRequestsThanTheCapIsRefused() {
        // Each gate alone is within its caps; together they would cost more requests per evaluation than allowed.
        List<Map<String, Object>> gates = new ArrayList<>();
        List<String> metrics = new ArrayList<>();
        for (int i = 0; i < GateLimits.MAX_METRICS; i++) {
            metrics.add("metric_" + i);
        }
        gates.add(Map.of("name", "many-metrics", "kind", "metrics-present", "metrics", metrics));
        gates.add(targetUp("one-more", null, "up{job=\"" + MonitoringResource.JOB + "\"}"));
        Map<String, Object> body = new HashMap<>(plan(unique("amplified"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", gates);
        String name = (String) body.get("name");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", containsString("invalid-plan"))
                .body("detail", containsString("at most " + GateLimits.MAX_REQUESTS_PER_PLAN + " monitoring requests"));
        given().get("/api/v1/plans/" + name).then().statusCode(404);
    }
}
