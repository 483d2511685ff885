package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.TestDatabase;

/**
 * A crash does not reset or shorten a dwell: the dwell lives in the database, measured with the database
 * clock, so an instance started after a crash refuses an early advance with the same earliestAdvanceAt, and
 * lets the rollout advance once that moment has passed.
 */
class RestartIT {

    private static final Duration LONG_DWELL = Duration.ofMinutes(2);

    private final List<AppProcess> apps = new ArrayList<>();

    @AfterEach
    void stopAll() {
        apps.forEach(AppProcess::close);
    }

    private AppProcess start(String name, TestDatabase.Location db) {
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_EVALUATION_INTERVAL", "1s");
        AppProcess app = AppProcess.start(name, env);
        apps.add(app);
        return app;
    }

    @Test
    void dwellSurvivesACrash() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_restart");
        AppProcess first = start("restart-first", db);

        // Far longer than a restart takes: still running when the new instance is asked.
        String longId = startAtFivePercent(first, "restart-long", LONG_DWELL.toString(), "checkout");
        // A little longer than a restart takes here (judged by the first start), so that the new instance
        // usually refuses first and then allows; the assertions hold either way.
        Duration shortDwell = Duration.ofSeconds(Math.max(10, first.startup().toSeconds() + 8));
        String shortId = startAtFivePercent(first, "restart-short", shortDwell.toString(), "payments");
        Instant longEarliest = Instant.parse(first.get("/api/v1/rollouts/" + longId).json()
                .path("earliestAdvanceAt").asText());
        Instant shortEarliest = Instant.parse(first.get("/api/v1/rollouts/" + shortId).json()
                .path("earliestAdvanceAt").asText());

        first.kill();
        assertFalse(first.isAlive(), "the first instance is gone");

        AppProcess second = start("restart-second", db);

        // The long dwell is not over: refused, with the very moment the first instance computed.
        AppProcess.Reply refused = second.post("/api/v1/rollouts/" + longId + "/advance", null);
        assertEquals(409, refused.status(), refused::toString);
        assertTrue(refused.contentType().startsWith("application/problem+json"), refused::toString);
        assertEquals("too-early", refused.problemType(), refused::toString);
        assertEquals(longEarliest, Instant.parse(refused.json().path("earliestAdvanceAt").asText()),
                "earliestAdvanceAt neither reset nor shortened by the restart");
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= LONG_DWELL.toSeconds(), "Retry-After " + retryAfter);

        JsonNode rollout = second.get("/api/v1/rollouts/" + longId).json();
        assertEquals("PROGRESSING", rollout.path("state").asText());
        assertEquals(5.0, rollout.path("currentPercentage").asDouble());
        assertEquals(longEarliest, Instant.parse(rollout.path("earliestAdvanceAt").asText()));

        List<JsonNode> longHistory = history(second, longId);
        assertEquals(List.of("started", "step", "advance_refused"), actions(longHistory), longHistory::toString);
        JsonNode step = longHistory.get(1);
        assertEquals(0.0, step.path("fromPercentage").asDouble());
        assertEquals(5.0, step.path("toPercentage").asDouble());
        assertEquals(longEarliest, Instant.parse(step.path("details").path("earliestAdvanceAt").asText()));
        assertEquals(Instant.parse(step.path("at").asText()).plus(LONG_DWELL), longEarliest,
                "the dwell is counted from the moment the step was entered");
        JsonNode refusal = longHistory.get(2);
        assertTrue(refusal.path("reason").asText().endsWith("too-early"), refusal::toString);
        assertEquals(5.0, refusal.path("fromPercentage").asDouble());
        assertEquals(100.0, refusal.path("toPercentage").asDouble());

        // The short dwell, begun before the crash, runs out on the new instance: advancing then succeeds,
        // and every earlier attempt is refused as too early with the original earliestAdvanceAt.
        AtomicReference<AppProcess.Reply> success = new AtomicReference<>();
        Awaitility.await("the short dwell to run out")
                .atMost(shortDwell.plusSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    AppProcess.Reply reply = second.post("/api/v1/rollouts/" + shortId + "/advance", null);
                    if (reply.status() == 200) {
                        success.set(reply);
                        return true;
                    }
                    assertEquals(409, reply.status(), reply::toString);
                    assertEquals("too-early", reply.problemType(), reply::toString);
                    assertEquals(shortEarliest, Instant.parse(reply.json().path("earliestAdvanceAt").asText()));
                    return false;
                });
        assertEquals("COMPLETED", success.get().json().path("state").asText(), success.get()::toString);
        assertEquals(100.0, success.get().json().path("currentPercentage").asDouble());

        List<JsonNode> shortHistory = history(second, shortId);
        JsonNode advanced = shortHistory.stream()
                .filter(e -> e.path("action").asText().equals("step") && e.path("toPercentage").asDouble() == 100.0)
                .findFirst().orElseThrow(() -> new AssertionError("no step to 100 %: " + shortHistory));
        Instant advancedAt = Instant.parse(advanced.path("at").asText());
        assertFalse(advancedAt.isBefore(shortEarliest),
                "advanced at " + advancedAt + ", before the dwell ended at " + shortEarliest);
        List<String> shortActions = actions(shortHistory);
        assertEquals(List.of("started", "step"), shortActions.subList(0, 2));
        assertEquals(List.of("step", "completed"), shortActions.subList(shortActions.size() - 2, shortActions.size()));
        assertTrue(shortActions.subList(2, shortActions.size() - 2).stream().allMatch("advance_refused"::equals),
                shortActions::toString);
        System.out.printf("restart took %s; the %s dwell was refused %d times after it, then allowed%n",
                second.startup(), shortDwell, shortActions.size() - 4);
    }

    /** Creates a MANUAL plan with one dwell before 100 %, starts a rollout of it and moves it to 5 %. */
    private static String startAtFivePercent(AppProcess app, String plan, String dwell, String target) {
        AppProcess.Reply created = app.post("/api/v1/plans", Map.of("name", plan, "mode", "MANUAL",
                "onViolation", "PAUSE", "steps", List.of(Map.of("percentage", 5, "minDwell", dwell),
                        Map.of("percentage", 100, "minDwell", "PT0S"))));
        assertEquals(201, created.status(), created::toString);
        AppProcess.Reply started = app.post("/api/v1/rollouts", Map.of("plan", plan, "target", target,
                "version", "v3.1.0"));
        assertEquals(201, started.status(), started::toString);
        String id = started.json().path("id").asText();
        AppProcess.Reply advanced = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals(200, advanced.status(), advanced::toString);
        assertEquals(5.0, advanced.json().path("currentPercentage").asDouble());
        return id;
    }

    private static List<JsonNode> history(AppProcess app, String id) {
        AppProcess.Reply reply = app.get("/api/v1/rollouts/" + id + "/history");
        assertEquals(200, reply.status(), reply::toString);
        List<JsonNode> events = new ArrayList<>();
        reply.json().forEach(events::add);
        return events;
    }

    private static List<String> actions(List<JsonNode> events) {
        return events.stream().map(e -> e.path("action").asText()).toList();
    }
}
