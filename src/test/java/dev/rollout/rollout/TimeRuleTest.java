package dev.rollout.rollout;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.startManualRollout;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The time rule against the database clock, moved forward by the test clock instead of sleeping. The
 * controller's watch is held: once the clock is moved past a final bake it would complete the rollout
 * by itself, racing the caller's advance these tests are about.
 */
@QuarkusTest
class TimeRuleTest {

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    @BeforeEach
    void holdTheWatch() {
        watch.hold();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
        watch.release();
    }

    @Test
    void anAdvanceBeforeTheDwellIsRefusedWithWhenToComeBackAndRecorded() {
        String id = startManualRollout("PT24H");
        Response entered = advance(id);
        entered.then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Instant stepEnteredAt = Instant.parse(entered.path("stepEnteredAt"));
        Instant earliest = Instant.parse(entered.path("earliestAdvanceAt"));
        assertEquals(stepEnteredAt.plus(Duration.ofHours(24)), earliest);

        clock.advance(Duration.ofHours(23));
        Response refused = advance(id);
        refused.then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/too-early")).body("title", equalTo("Too early"))
                .body("status", equalTo(409)).body("earliestAdvanceAt", equalTo(earliest.toString()))
                .body("rolloutId", equalTo(id));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter > 3500 && retryAfter <= 3600, "Retry-After " + retryAfter);
        Api.get(id).then().body("currentPercentage", equalTo(5.0f)).body("stepIndex", equalTo(0));

        Map<String, Object> recorded = Api.history(id).get(2);
        assertEquals("advance_refused", recorded.get("action"));
        assertEquals("too-early", recorded.get("reason"));
        assertEquals(5.0f, recorded.get("fromPercentage"));
        assertEquals(10.0f, recorded.get("toPercentage"));

        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
    }

    @Test
    void resumeStartsAFreshFullDwell() {
        String id = startManualRollout("PT24H");
        advance(id).then().statusCode(200);
        clock.advance(Duration.ofHours(20));
        command(id, "pause", "alert investigation").then().statusCode(200);
        clock.advance(Duration.ofHours(10)); // the original dwell would be over by now
        Response resumed = command(id, "resume", "false alarm");
        resumed.then().statusCode(200);
        Instant resumedAt = Instant.parse(resumed.path("dwellStartedAt"));
        assertEquals(resumedAt.plus(Duration.ofHours(24)), Instant.parse(resumed.path("earliestAdvanceAt")));

        clock.advance(Duration.ofHours(23));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"))
                .body("earliestAdvanceAt", equalTo(resumedAt.plus(Duration.ofHours(24)).toString()));
        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
    }

    @Test
    void theFinalBakeHoldsARolloutAtHundredPercentBeforeItCompletes() {
        Map<String, Object> body = new HashMap<>(plan(unique("baked"), "MANUAL", "PAUSE",
                List.of(step(50, "PT1H"), step(100, "PT0S"))));
        body.put("finalBake", "PT2H");
        String id = startRollout(createPlan(body), unique("target"));
        advance(id).then().statusCode(200);
        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(100.0f))
                .body("state", equalTo("PROGRESSING"));
        clock.advance(Duration.ofMinutes(119));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        clock.advance(Duration.ofMinutes(1));
        advance(id).then().statusCode(200).body("state", equalTo("COMPLETED"));
        List<Object> actions = Api.history(id).stream().map(e -> e.get("action")).toList();
        assertEquals(List.of("started", "step", "step", "advance_refused", "completed"), actions);
    }

    @Test
    void reachingHundredPercentWithNothingToWaitForCompletesAtOnce() {
        String id = startRollout(createPlan(plan(unique("short"), "MANUAL", "PAUSE",
                List.of(step(50, "PT1M"), step(100, "PT0S")))), unique("target"));
        advance(id).then().statusCode(200);
        clock.advance(Duration.ofMinutes(1));
        advance(id).then().statusCode(200).body("state", equalTo("COMPLETED")).body("currentPercentage", equalTo(100.0f));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/not-progressing"));
    }
}
