package dev.rollout.rollout;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.GrafanaStubResource;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Repeated refusals are coalesced: a run of identical refusals (same rollout, step, refusal type and actor)
 * leaves its first refusal and then one summary (repeats, firstAt, lastAt) when the run ends or every 24 hours,
 * never a row per call; every call still gets its 409 and is counted in the refusals metric. The watch is
 * held and time is moved with the test clock, so every event here is the test's own.
 */
@QuarkusTest
class RefusalRunsTest {

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void holdTheWatch() {
        watch.hold();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
        watch.release();
        GrafanaStubResource.stub().reset();
    }

    @Test
    void aScriptAskingAHundredTimesLeavesOneRefusalThenOneSummaryWhenTheStepMoves() {
        String planName = unique("polled");
        String id = startRollout(createPlan(plan(planName, "MANUAL", "PAUSE", seedSteps("PT1H"))), unique("svc"));
        advance(id).then().statusCode(200);
        for (int i = 0; i < 100; i++) {
            advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"))
                    .header("Retry-After", notNullValue());
        }
        assertEquals(List.of("started", "step", "advance_refused"), actions(id));
        assertEquals(100, refusalsCounted(planName, "too-early"), "every refused call is counted");

        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));

        List<Map<String, Object>> history = Api.history(id);
        assertEquals(List.of("started", "step", "advance_refused", "advance_refused", "step"), actions(history));
        Map<String, Object> first = history.get(2);
        assertEquals("too-early", details(first).get("refusal"));
        assertNull(details(first).get("repeats"));
        Map<String, Object> summary = history.get(3);
        Map<String, Object> step = history.get(4);
        assertEquals(99, ((Number) details(summary).get("repeats")).intValue());
        assertEquals("too-early", summary.get("reason"));
        assertEquals("bootstrap-admin", summary.get("actor"));
        assertEquals(5.0f, summary.get("fromPercentage"));
        assertEquals(10.0f, summary.get("toPercentage"));
        Instant firstAt = Instant.parse((String) details(summary).get("firstAt"));
        Instant lastAt = Instant.parse((String) details(summary).get("lastAt"));
        assertTrue(Instant.parse((String) first.get("at")).isBefore(firstAt), "firstAt is the second call's time");
        assertTrue(firstAt.isBefore(lastAt), firstAt + " " + lastAt);
        assertTrue(!lastAt.isAfter(Instant.parse((String) summary.get("at"))));
        assertEquals(step.get("at"), summary.get("at"), "the summary is appended when the run ends");
        assertEquals(100, refusalsCounted(planName, "too-early"), "a summary counts no call twice");

        // One annotation per record, not per call; the summary's says how many calls it stands for.
        GrafanaStub grafana = GrafanaStubResource.stub();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Map<String, Object> e : history) {
                assertEquals(1, grafana.annotationsTagged("rollout:" + id, "event:" + e.get("seq")).size(), e.toString());
            }
        });
        assertEquals(history.size(), grafana.annotationsTagged("rollout:" + id).size());
        String text = grafana.annotationsTagged("rollout:" + id, "event:" + summary.get("seq")).get(0).text();
        String utc = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC";
        assertTrue(text.matches(".*advance from 5 % to 10 % refused: too-early by bootstrap-admin, 99 more times between "
                + utc + " and " + utc), text);
    }

    @Test
    void anotherActorOrAnotherRefusalTypeStartsANewRun() {
        Map<String, Object> body = new HashMap<>(plan(unique("gated"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", List.of(Map.of("name", "never-up", "kind", "target-up", "query", "up{job=\"no-such-job\"}")));
        String id = startRollout(createPlan(body), unique("svc"));
        given().contentType(ContentType.JSON).body(Map.of("override", true, "reason", "enter the first step"))
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200);
        String deployer = Auth.newToken("deployer")[1];

        for (int i = 0; i < 3; i++) {
            advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        }
        for (int i = 0; i < 2; i++) {
            Auth.as(deployer).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance")
                    .then().statusCode(409).body("type", equalTo("/problems/too-early"));
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 4; i++) {
            Auth.as(deployer).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance")
                    .then().statusCode(409).body("type", equalTo("/problems/gates-failing"));
        }
        command(id, "pause", "look at the gate").then().statusCode(200);

        List<Map<String, Object>> history = Api.history(id);
        List<Map<String, Object>> refusals = history.subList(3, history.size() - 1);
        assertEquals(List.of("started", "override", "step"), actions(history.subList(0, 3)));
        assertEquals(List.of(
                "too-early by bootstrap-admin", "too-early by bootstrap-admin x2",
                "too-early by " + refusals.get(2).get("actor"), "too-early by " + refusals.get(2).get("actor") + " x1",
                "gates-failing by " + refusals.get(2).get("actor"), "gates-failing by " + refusals.get(2).get("actor") + " x3"),
                describe(history.subList(3, history.size() - 1)));
        assertFalse("bootstrap-admin".equals(refusals.get(2).get("actor")));
        assertEquals("paused", history.get(history.size() - 1).get("action"));
    }

    @Test
    void aRunThatLastsDaysIsSummarisedOnTheFirstCallAfterEachTwentyFourHours() {
        String planName = unique("week");
        String id = startRollout(createPlan(plan(planName, "MANUAL", "PAUSE", seedSteps("PT168H"))), unique("svc"));
        advance(id).then().statusCode(200);
        for (int i = 0; i < 3; i++) {
            advance(id).then().statusCode(409);
        }
        clock.advance(Duration.ofHours(23));
        advance(id).then().statusCode(409);
        assertEquals(List.of("started", "step", "advance_refused"), actions(id), "not yet 24 hours");

        clock.advance(Duration.ofHours(2));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        List<Map<String, Object>> history = Api.history(id);
        assertEquals(List.of("started", "step", "advance_refused", "advance_refused"), actions(history));
        Map<String, Object> daily = history.get(3);
        assertEquals(4, ((Number) details(daily).get("repeats")).intValue(), "three calls, the one at 23 h, this one");
        assertEquals(daily.get("at"), details(daily).get("lastAt"), "the call that closed the day is its last");

        advance(id).then().statusCode(409);
        clock.advance(Duration.ofHours(25));
        advance(id).then().statusCode(409);
        command(id, "pause", "enough").then().statusCode(200);
        history = Api.history(id);
        assertEquals(List.of("started", "step", "advance_refused", "advance_refused", "advance_refused", "paused"),
                actions(history), "a run with nothing uncounted ends without a summary");
        assertEquals(2, ((Number) details(history.get(4)).get("repeats")).intValue());
        assertEquals(1 + 4 + 2, refusalsCounted(planName, "too-early"));
    }

    @Test
    void concurrentRefusalsLoseNoCount() throws Exception {
        String planName = unique("hammered");
        String id = startRollout(createPlan(plan(planName, "MANUAL", "PAUSE", seedSteps("PT1H"))), unique("svc"));
        advance(id).then().statusCode(200);
        List<Integer> statuses = ConcurrencyTest.concurrently(20, () -> {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                mine.add(advance(id).statusCode());
            }
            return mine;
        }).stream().flatMap(List::stream).toList();
        assertEquals(100, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        assertEquals(List.of("started", "step", "advance_refused"), actions(id));
        assertEquals(99, openRepeats(id), "the open run holds every call after the first");

        command(id, "pause", "stop").then().statusCode(200);
        List<Map<String, Object>> history = Api.history(id);
        assertEquals(List.of("started", "step", "advance_refused", "advance_refused", "paused"), actions(history));
        assertEquals(99, ((Number) details(history.get(3)).get("repeats")).intValue());
        assertEquals(100, refusalsCounted(planName, "too-early"));
        assertEquals(-1, openRepeats(id), "the run ended with the pause");
    }

    @Test
    void noHistoryRowIsEverUpdatedWhileARunIsCounted() throws Exception {
        String id = startRollout(createPlan(plan(unique("kept"), "MANUAL", "PAUSE", seedSteps("PT168H"))),
                unique("svc"));
        advance(id).then().statusCode(200);
        advance(id).then().statusCode(409);
        Map<Long, String> before = rowVersions(id);
        for (int i = 0; i < 5; i++) {
            advance(id).then().statusCode(409);
        }
        clock.advance(Duration.ofHours(25));
        advance(id).then().statusCode(409);
        command(id, "pause", "done").then().statusCode(200);
        Map<Long, String> after = rowVersions(id);
        assertEquals(before.size() + 2, after.size(), "a daily summary and the pause were appended");
        before.forEach((seq, version) -> assertEquals(version, after.get(seq), "row " + seq + " was rewritten"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static List<String> actions(String id) {
        return actions(Api.history(id));
    }

    private static List<String> actions(List<Map<String, Object>> history) {
        return history.stream().map(e -> (String) e.get("action")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Map<String, Object> event) {
        return (Map<String, Object>) event.get("details");
    }

    /** "too-early by alice" for a first refusal, "too-early by alice x3" for a summary of three calls. */
    private static List<String> describe(List<Map<String, Object>> refusals) {
        return refusals.stream().map(e -> e.get("reason") + " by " + e.get("actor")
                + (details(e).get("repeats") == null ? "" : " x" + details(e).get("repeats"))).toList();
    }

    private static long refusalsCounted(String plan, String reason) {
        String metrics = Metrics.scrape().then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("rollout_advance_refusals_total{"))
                .filter(l -> l.contains("plan=\"" + plan + "\"") && l.contains("reason=\"" + reason + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The open run's count of calls since its last record; -1 when the rollout has no open run. */
    private long openRepeats(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("select repeats from refusal_run where rollout_id = ?::uuid")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : -1;
            }
        }
    }

    /** Each history row's seq and its row version (xmin changes if a row is ever rewritten). */
    private Map<Long, String> rowVersions(String id) throws Exception {
        Map<Long, String> versions = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select seq, xmin::text || ':' || details::text from deployment_state where rollout_id = ?::uuid")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    versions.put(r.getLong(1), r.getString(2));
                }
            }
        }
        return versions;
    }
}
