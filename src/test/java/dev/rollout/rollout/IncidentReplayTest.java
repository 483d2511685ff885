package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The seed's incident, replayed: a deploy script calls advance every 100 ms through
 * 0 → 5 → 10 → 25 → 50 → 75 → 100. With 2-second dwells the server refuses it until each dwell has
 * passed, so the whole run takes at least the sum of the dwells instead of running away.
 * <p>The controller's watch is held for the whole run: it would otherwise complete the rollout by itself
 * once the last step's dwell is over, racing the script's own last call. Every move here is the script's.
 */
@QuarkusTest
class IncidentReplayTest {

    private static final Duration DWELL = Duration.ofSeconds(2);

    @Inject
    RolloutWatch watch;

    @BeforeEach
    void holdTheWatch() {
        watch.hold();
    }

    @AfterEach
    void releaseTheWatch() {
        watch.release();
    }

    @Test
    void aScriptHammeringAdvanceCannotOutrunTheDwells() throws InterruptedException {
        String id = startRollout(createPlan(plan(unique("phase_4"), "MANUAL", "PAUSE", seedSteps("PT2S"))),
                unique("genesis-orchestrator"));
        long started = System.nanoTime();
        int calls = 0;
        int refused = 0;
        String state = "PROGRESSING";
        // a generous bound for a run whose dwells add up to 12 s
        while (!"COMPLETED".equals(state) && System.nanoTime() - started < Duration.ofSeconds(120).toNanos()) {
            Response response = Api.advance(id);
            calls++;
            if (response.statusCode() == 409) {
                assertEquals("/problems/too-early", response.path("type"));
                refused++;
            } else {
                assertEquals(200, response.statusCode());
                state = response.path("state");
            }
            Thread.sleep(100); // the script's own pace, not synchronisation
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        assertEquals("COMPLETED", state);

        List<Map<String, Object>> history = Api.history(id);
        List<Map<String, Object>> steps = history.stream().filter(e -> e.get("action").equals("step")).toList();
        assertEquals(List.of(5.0f, 10.0f, 25.0f, 50.0f, 75.0f, 100.0f), steps.stream().map(e -> e.get("toPercentage")).toList());
        Instant previous = null;
        for (Map<String, Object> event : history) {
            Instant at = Instant.parse((String) event.get("at"));
            if (event.get("action").equals("step")) {
                if (previous != null) {
                    assertTrue(Duration.between(previous, at).compareTo(DWELL) >= 0,
                            "left a step after only " + Duration.between(previous, at));
                }
                previous = at;
            } else if (event.get("action").equals("advance_refused") && previous != null) {
                // a summary of repeated refusals is appended when its run ends; its last call was at lastAt
                Object lastAt = ((Map<?, ?>) event.get("details")).get("lastAt");
                Instant refusedAt = lastAt == null ? at : Instant.parse((String) lastAt);
                assertTrue(Duration.between(previous, refusedAt).compareTo(DWELL) < 0,
                        "refused although the dwell was over: " + Duration.between(previous, refusedAt));
            }
        }
        // the move 0 -> 5 % has no dwell; each of the six steps after it waits 2 s (100 % included, before completion)
        Duration sumOfDwells = DWELL.multipliedBy(5);
        Instant first = Instant.parse((String) steps.get(0).get("at"));
        Instant last = Instant.parse((String) steps.get(steps.size() - 1).get("at"));
        assertTrue(Duration.between(first, last).compareTo(sumOfDwells) >= 0);
        assertTrue(wall.compareTo(sumOfDwells.plus(DWELL)) >= 0, "whole run took " + wall);
        assertEquals(calls - 7, refused, "every call but the six steps and the completion was refused");
        assertEquals(refused, history.stream().filter(e -> e.get("action").equals("advance_refused"))
                .mapToLong(ConcurrencyTest::callsRecorded).sum(), "every refused call accounted for once");
        assertTrue(history.size() < 7 + 1 + 3 * 6, "one refusal and at most one summary per step, not one row per call: "
                + history.size());
    }
}
