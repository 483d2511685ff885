package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.RestartablePostgres;

/**
 * The database goes away under a running instance and comes back: meanwhile readiness is DOWN and the API
 * answers 503 database-unavailable (never a 500, never a half-made change); afterwards the instance is
 * ready again by itself and the rollout is exactly as it was.
 */
class DatabaseOutageIT {

    private static final Duration DETECTION = Duration.ofSeconds(30);
    private static final Duration MAX_CALL = Duration.ofSeconds(15);

    private RestartablePostgres postgres;
    private AppProcess app;

    @AfterEach
    void tearDown() throws IOException {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void outageIsReportedAndNothingIsLost() throws IOException {
        Path dataDir = AppProcess.appJar().getParent().getParent().resolve("it-pg").resolve("outage");
        int port = AppProcess.freePort();
        postgres = RestartablePostgres.start(dataDir, port, Map.of());

        Map<String, String> env = AppProcess.databaseEnv("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", "");
        env.put("ROLLOUT_EVALUATION_INTERVAL", "1s"); // the controller's own loop also meets the outage
        app = AppProcess.start("database-outage", env);

        AppProcess.Reply plan = app.post("/api/v1/plans", plan("outage-plan"));
        assertEquals(201, plan.status(), plan::toString);
        AppProcess.Reply started = app.post("/api/v1/rollouts",
                Map.of("plan", "outage-plan", "target", "search", "version", "v7.2.0"));
        assertEquals(201, started.status(), started::toString);
        String id = started.json().path("id").asText();
        AppProcess.Reply advanced = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals(200, advanced.status(), advanced::toString);

        JsonNode rolloutBefore = app.get("/api/v1/rollouts/" + id).json();
        JsonNode historyBefore = app.get("/api/v1/rollouts/" + id + "/history").json();
        assertEquals(5.0, rolloutBefore.path("currentPercentage").asDouble());

        // ---- the database goes away ----
        postgres.stop();

        List<String> seen = new ArrayList<>();
        Awaitility.await("readiness DOWN").atMost(DETECTION).pollInterval(Duration.ofMillis(250)).until(() -> {
            AppProcess.Reply ready = app.get("/q/health/ready");
            seen.add("ready " + ready.status());
            assertTrue(ready.status() != 500, "readiness answered 500: " + ready);
            return ready.status() == 503 && ready.json().path("status").asText().equals("DOWN");
        });

        expectUnavailable("GET rollout", () -> app.get("/api/v1/rollouts/" + id), seen);
        expectUnavailable("POST advance", () -> app.post("/api/v1/rollouts/" + id + "/advance", null), seen);
        expectUnavailable("POST plans", () -> app.post("/api/v1/plans", plan("created-during-outage")), seen);
        expectUnavailable("GET history", () -> app.get("/api/v1/rollouts/" + id + "/history"), seen);
        expectUnavailable("POST rollouts", () -> app.post("/api/v1/rollouts",
                Map.of("plan", "outage-plan", "target", "search-2", "version", "v7.2.0")), seen);
        System.out.println("during the outage: " + seen);
        assertTrue(app.isAlive(), "the instance survives the outage");

        // ---- the database comes back, same data, same port ----
        postgres.start();
        Awaitility.await("readiness UP again").atMost(DETECTION).pollInterval(Duration.ofMillis(250))
                .until(() -> app.get("/q/health/ready").status() == 200);

        // Nothing lost, nothing half-done: the rollout and its history are exactly as before the outage,
        // and neither the plan nor the rollout asked for during the outage exists.
        AppProcess.Reply rolloutAfter = app.get("/api/v1/rollouts/" + id);
        assertEquals(200, rolloutAfter.status(), rolloutAfter::toString);
        assertEquals(rolloutBefore, rolloutAfter.json());
        assertEquals(historyBefore, app.get("/api/v1/rollouts/" + id + "/history").json());
        assertEquals(404, app.get("/api/v1/plans/created-during-outage").status());
        assertEquals(1, app.get("/api/v1/rollouts?limit=1000").json().size());

        // And it works again: a write succeeds, and the time rule still holds.
        AppProcess.Reply tooEarly = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals(409, tooEarly.status(), tooEarly::toString);
        assertEquals("too-early", tooEarly.problemType(), tooEarly::toString);
        assertEquals(rolloutBefore.path("earliestAdvanceAt").asText(),
                tooEarly.json().path("earliestAdvanceAt").asText());
        AppProcess.Reply planAfter = app.post("/api/v1/plans", plan("created-after-outage"));
        assertEquals(201, planAfter.status(), planAfter::toString);
    }

    /** Polls {@code call} until it answers 503 database-unavailable; any 500 on the way fails at once. */
    private static void expectUnavailable(String what, Supplier<AppProcess.Reply> call, List<String> seen) {
        Awaitility.await(what + " answers 503 database-unavailable").atMost(DETECTION)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    long began = System.nanoTime();
                    AppProcess.Reply reply = call.get();
                    Duration took = Duration.ofNanos(System.nanoTime() - began);
                    seen.add(what + " " + reply.status() + " " + reply.problemType() + " " + took.toMillis() + " ms");
                    assertTrue(reply.status() != 500, what + " answered 500: " + reply);
                    // The pool's acquisition timeout and the driver's connect timeout (5 s each) bound every call.
                    assertTrue(took.compareTo(MAX_CALL) <= 0, what + " took " + took + ": " + reply);
                    return reply.status() == 503 && reply.problemType().equals("database-unavailable");
                });
    }

    private static Map<String, Object> plan(String name) {
        return Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE", "steps",
                List.of(Map.of("percentage", 5, "minDwell", "PT1H"), Map.of("percentage", 100, "minDwell", "PT0S")));
    }
}
