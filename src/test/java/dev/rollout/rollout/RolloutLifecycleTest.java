package dev.rollout.rollout;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startManualRollout;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class RolloutLifecycleTest {

    @Test
    void aNewRolloutIsProgressingAtZeroPercent() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String target = unique("genesis-orchestrator");
        given().contentType(ContentType.JSON).body(Map.of("plan", plan, "target", target, "version", "v4.0.0"))
                .post("/api/v1/rollouts").then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.containsString("/api/v1/rollouts/"))
                .body("plan", equalTo(plan)).body("planVersion", equalTo(1)).body("target", equalTo(target))
                .body("version", equalTo("v4.0.0")).body("state", equalTo("PROGRESSING"))
                .body("currentPercentage", equalTo(0.0f)).body("stepIndex", equalTo(-1))
                .body("stepEnteredAt", notNullValue()).body("earliestAdvanceAt", notNullValue())
                .body("startedAt", notNullValue()).body("nextPercentage", equalTo(5.0f));
    }

    @Test
    void aTargetHasAtMostOneActiveRollout() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String target = unique("target");
        String first = startRollout(plan, target);
        given().contentType(ContentType.JSON).body(Map.of("plan", plan, "target", target, "version", "v2"))
                .post("/api/v1/rollouts").then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/active-rollout-exists")).body("activeRolloutId", equalTo(first));
        command(first, "pause", "investigating").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("plan", plan, "target", target, "version", "v2"))
                .post("/api/v1/rollouts").then().statusCode(409);
        command(first, "abort", "superseded").then().statusCode(200).body("state", equalTo("ABORTED"));
        startRollout(plan, target);
    }

    @Test
    void startingAnUnknownPlanIs404AndInvalidBodiesAre400() {
        given().contentType(ContentType.JSON).body(Map.of("plan", "no-such-plan", "target", "t", "version", "v"))
                .post("/api/v1/rollouts").then().statusCode(404).body("type", equalTo("/problems/not-found"));
        given().contentType(ContentType.JSON).body(Map.of("plan", "x"))
                .post("/api/v1/rollouts").then().statusCode(400).body("type", equalTo("/problems/invalid-request"))
                .body("errors", hasItem("target: is required")).body("errors", hasItem("version: is required"));
        given().contentType(ContentType.JSON).body(Map.of("plan", "x", "target", "../etc", "version", "v 1"))
                .post("/api/v1/rollouts").then().statusCode(400)
                .body("errors", hasItem(org.hamcrest.Matchers.startsWith("target:")))
                .body("errors", hasItem(org.hamcrest.Matchers.startsWith("version:")));
    }

    @Test
    void pauseAndResumeRefuseWhatTheStateDoesNotAllow() {
        String id = startManualRollout("PT1H");
        command(id, "resume", null).then().statusCode(409).body("type", equalTo("/problems/not-paused"));
        command(id, "pause", "error budget burn").then().statusCode(200).body("state", equalTo("PAUSED"))
                .body("earliestAdvanceAt", nullValue());
        command(id, "pause", "again").then().statusCode(409).body("type", equalTo("/problems/not-progressing"));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/not-progressing"));
        command(id, "resume", null).then().statusCode(200).body("state", equalTo("PROGRESSING"));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void pauseRollbackAndAbortNeedAReason() {
        String id = startManualRollout("PT1H");
        for (String cmd : List.of("pause", "rollback", "abort")) {
            command(id, cmd, null).then().statusCode(400).body("errors", hasItem("reason: is required"));
            command(id, cmd, "  ").then().statusCode(400);
            command(id, cmd, "x".repeat(1001)).then().statusCode(400);
        }
        Api.get(id).then().body("state", equalTo("PROGRESSING"));
        assertEquals(1, Api.history(id).size(), "refused commands must not write history");
    }

    @Test
    void rollbackReturnsToZeroAndEndsTheRollout() {
        String id = startManualRollout("PT1H");
        advance(id).then().statusCode(200);
        command(id, "rollback", "p99 latency doubled").then().statusCode(200)
                .body("state", equalTo("ROLLED_BACK")).body("currentPercentage", equalTo(0.0f))
                .body("finishedAt", notNullValue());
        for (String cmd : List.of("pause", "resume", "rollback", "abort")) {
            command(id, cmd, "late").then().statusCode(409);
        }
        advance(id).then().statusCode(409).body("type", equalTo("/problems/not-progressing"));
        List<Map<String, Object>> history = Api.history(id);
        Map<String, Object> rolledBack = history.stream().filter(e -> e.get("action").equals("rolled_back")).findFirst()
                .orElseThrow();
        assertEquals(5.0f, rolledBack.get("fromPercentage"));
        assertEquals(0.0f, rolledBack.get("toPercentage"));
        assertEquals("p99 latency doubled", rolledBack.get("reason"));
        assertEquals("bootstrap-admin", rolledBack.get("actor"));
    }

    @Test
    void abortKeepsThePercentageAndFreesTheTarget() {
        String id = startManualRollout("PT1H");
        advance(id).then().statusCode(200);
        command(id, "abort", "wrong build").then().statusCode(200).body("state", equalTo("ABORTED"))
                .body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void historyListsEveryEventOldestFirst() {
        String id = startManualRollout("PT1H");
        advance(id).then().statusCode(200);
        advance(id).then().statusCode(409);
        command(id, "pause", "look at dashboards").then().statusCode(200);
        command(id, "resume", null).then().statusCode(200);
        List<Map<String, Object>> history = Api.history(id);
        assertEquals(List.of("started", "step", "advance_refused", "paused", "resumed"),
                history.stream().map(e -> e.get("action")).toList());
        List<Integer> seqs = history.stream().map(e -> ((Number) e.get("seq")).intValue()).toList();
        assertEquals(seqs.stream().sorted().toList(), seqs);
        given().get("/api/v1/rollouts/" + id + "/history").then()
                .body("at", everyItem(notNullValue())).body("actor", everyItem(equalTo("bootstrap-admin")))
                .body("[1].fromPercentage", equalTo(0.0f)).body("[1].toPercentage", equalTo(5.0f))
                .body("[2].reason", equalTo("too-early")).body("[2].details.refusal", equalTo("too-early"));
    }

    @Test
    void listsRolloutsByState() {
        String paused = startManualRollout("PT1H");
        command(paused, "pause", "hold").then().statusCode(200);
        String progressing = startManualRollout("PT1H");
        given().get("/api/v1/rollouts?state=PAUSED&limit=1000").then().statusCode(200)
                .body("id", hasItem(paused)).body("state", everyItem(equalTo("PAUSED")));
        given().get("/api/v1/rollouts?state=PROGRESSING&limit=1000").then().statusCode(200)
                .body("id", hasItem(progressing));
        given().get("/api/v1/rollouts?state=SIDEWAYS").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/api/v1/rollouts?limit=0").then().statusCode(400);
    }

    @Test
    void unknownRolloutsAre404() {
        for (String id : List.of("00000000-0000-0000-0000-000000000000", "not-a-uuid", "1")) {
            given().get("/api/v1/rollouts/" + id).then().statusCode(404).contentType("application/problem+json");
            advance(id).then().statusCode(404);
            command(id, "pause", "x").then().statusCode(404);
            given().get("/api/v1/rollouts/" + id + "/history").then().statusCode(404);
            given().get("/api/v1/rollouts/" + id + "/deployment-state").then().statusCode(404);
        }
    }
}
