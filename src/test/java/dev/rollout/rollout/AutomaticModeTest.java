package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;

/** The scheduled job (every 1 s in tests) advances AUTOMATIC rollouts only when their dwell is over. */
@QuarkusTest
class AutomaticModeTest {

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    @AfterEach
    void resetClock() {
        clock.reset();
        watch.release();
    }

    @Test
    void anAutomaticRolloutWalksThePlanByItselfRespectingEveryDwell() {
        String id = startRollout(createPlan(plan(unique("auto"), "AUTOMATIC", "PAUSE", seedSteps("PT1S"))),
                unique("target"));
        // the dwells add up to 6 s; the bound is generous so a slow machine still sees the outcome
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> "COMPLETED".equals(Api.get(id).path("state")));
        List<Map<String, Object>> history = Api.history(id);
        List<Map<String, Object>> steps = history.stream().filter(e -> e.get("action").equals("step")).toList();
        assertEquals(List.of(5.0f, 10.0f, 25.0f, 50.0f, 75.0f, 100.0f),
                steps.stream().map(e -> e.get("toPercentage")).toList());
        for (int i = 1; i < steps.size(); i++) {
            Duration dwelt = Duration.between(Instant.parse((String) steps.get(i - 1).get("at")),
                    Instant.parse((String) steps.get(i).get("at")));
            assertTrue(dwelt.compareTo(Duration.ofSeconds(1)) >= 0, "left step " + (i - 1) + " after " + dwelt);
        }
        assertTrue(steps.stream().allMatch(e -> "controller".equals(e.get("actor"))));
        assertEquals("completed", history.get(history.size() - 1).get("action"));
    }

    @Test
    void aPausedAutomaticRolloutDoesNotMove() {
        // the watch is held: the passes below, run here, are the only ones
        watch.hold();
        String id = startRollout(createPlan(plan(unique("auto"), "AUTOMATIC", "PAUSE", seedSteps("PT1H"))),
                unique("target"));
        watch.tick();
        assertEquals(0, ((Number) Api.get(id).path("stepIndex")).intValue(), "the first step needs no dwell");
        Api.command(id, "pause", "hold").then().statusCode(200);
        clock.advance(Duration.ofHours(2));
        long before = Api.history(id).size();
        watch.tick();
        assertEquals(before, Api.history(id).size());
        assertEquals(0, ((Number) Api.get(id).path("stepIndex")).intValue());
    }

    @Test
    void aManualRolloutIsNeverAdvancedByTheControllerButItsFinalBakeCompletes() {
        Map<String, Object> body = new HashMap<>(plan(unique("manual"), "MANUAL", "PAUSE",
                List.of(step(50, "PT0S"), step(100, "PT0S"))));
        body.put("finalBake", "PT1H");
        // the watch is held: the passes below, run here, are the only ones
        watch.hold();
        String id = startRollout(createPlan(body), unique("target"));
        watch.tick();
        assertEquals(-1, ((Number) Api.get(id).path("stepIndex")).intValue(), "a MANUAL rollout never moves by itself");
        Api.advance(id).then().statusCode(200);
        Api.advance(id).then().statusCode(200);
        assertEquals("PROGRESSING", Api.get(id).path("state"));
        clock.advance(Duration.ofMinutes(59));
        watch.tick();
        assertEquals("PROGRESSING", Api.get(id).path("state"), "the bake is not over yet");
        clock.advance(Duration.ofMinutes(1));
        watch.tick();
        assertEquals("COMPLETED", Api.get(id).path("state"));
        Map<String, Object> completed = Api.history(id).get(Api.history(id).size() - 1);
        assertEquals("completed", completed.get("action"));
        assertEquals("controller", completed.get("actor"));
        assertFalse(Api.history(id).stream().anyMatch(e -> e.get("action").equals("step")
                && "controller".equals(e.get("actor"))));
    }
}
