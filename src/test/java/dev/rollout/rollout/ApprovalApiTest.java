package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.GrafanaStubResource;
import dev.rollout.support.Metrics;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Steps that need an operator's approval: the approve command, its refusals, the history event and its
 * annotation, what survives a pause and a rollback, the AUTOMATIC watch, and the metric.
 */
@QuarkusTest
class ApprovalApiTest {

    /** Whoever the tests' default credential is: the rollouts below are started as it. */
    private static final String STARTER = "bootstrap-admin";
    /** A gate that never passes: no series has this job. */
    private static final Map<String, Object> NEVER_UP = Map.of("name", "never-up", "kind", "target-up",
            "query", "up{job=\"no-such-job-for-approvals\"}");

    @Inject
    RolloutWatch watch;

    @Inject
    TestClock clock;

    @AfterEach
    void reset() {
        clock.reset();
        watch.release();
    }

    private static Map<String, Object> step(double percentage, String dwell, boolean approval) {
        return approval ? Map.of("percentage", percentage, "minDwell", dwell, "approval", true)
                : Map.of("percentage", percentage, "minDwell", dwell);
    }

    private static String plan(String mode, List<Map<String, Object>> steps, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("name", unique("approvals"), "mode", mode,
                "onViolation", "PAUSE", "steps", steps));
        body.putAll(extra);
        return createPlan(body);
    }

    /** MANUAL: 5 % (dwell), 25 % (approval), 100 %. */
    private static String rollout(String dwell, Map<String, Object> extra) {
        return startRollout(plan("MANUAL", List.of(step(5, dwell, false), step(25, "PT0S", true),
                step(100, "PT0S", false)), extra), unique("svc"));
    }

    private static Response approve(RequestSpecification as, String id, String reason) {
        return as.contentType(ContentType.JSON).body(reason == null ? Map.of() : Map.of("reason", reason))
                .post("/api/v1/rollouts/" + id + "/approve");
    }

    private static Response approve(String id, String reason) {
        return approve(given(), id, reason);
    }

    private static void problem(Response response, int status, String type) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("/" + type)).body("status", org.hamcrest.Matchers.is(status));
    }

    private static long count(String id, String action) {
        return Api.history(id).stream().filter(e -> action.equals(e.get("action"))).count();
    }

    @Test
    void anApprovalStepIsEnteredOnlyOnceApprovedAndTheApprovalIsRecordedAndAnnotated() {
        String id = rollout("PT0S", Map.of());
        Api.advance(id).then().statusCode(200).body("currentPercentage", org.hamcrest.Matchers.is(5.0f))
                .body("awaitingApproval", org.hamcrest.Matchers.is(true));
        Api.get(id).then().statusCode(200).body("awaitingApproval", org.hamcrest.Matchers.is(true))
                .body("approval", org.hamcrest.Matchers.nullValue())
                .body("startedBy", org.hamcrest.Matchers.is(STARTER));

        Response refused = Api.advance(id);
        problem(refused, 409, "approval-required");
        refused.then().body("nextPercentage", org.hamcrest.Matchers.is(25.0f))
                .body("rolloutId", org.hamcrest.Matchers.is(id));
        assertEquals(5.0f, (Float) Api.get(id).path("currentPercentage"), "a refusal changes nothing");
        Map<String, Object> recorded = Api.history(id).get(Api.history(id).size() - 1);
        assertEquals("advance_refused", recorded.get("action"));
        assertEquals("approval-required", recorded.get("reason"));

        // a reason is required, and bad input changes nothing
        problem(approve(id, null), 400, "invalid-request");
        problem(approve(id, "  "), 400, "invalid-request");
        assertEquals(0, count(id, "approved"));

        Response approved = approve(id, "canary is clean");
        approved.then().statusCode(200).body("awaitingApproval", org.hamcrest.Matchers.is(false))
                .body("approval.stepIndex", org.hamcrest.Matchers.is(1))
                .body("approval.percentage", org.hamcrest.Matchers.is(25.0f))
                .body("approval.approvedBy", org.hamcrest.Matchers.is(STARTER))
                .body("approval.reason", org.hamcrest.Matchers.is("canary is clean"))
                .body("currentPercentage", org.hamcrest.Matchers.is(5.0f));
        Map<String, Object> event = Api.history(id).get(Api.history(id).size() - 1);
        assertEquals("approved", event.get("action"));
        assertEquals(STARTER, event.get("actor"));
        assertEquals("canary is clean", event.get("reason"));
        assertEquals(5.0f, event.get("fromPercentage"));
        assertEquals(25.0f, event.get("toPercentage"));
        assertEquals(Map.of("stepIndex", 1, "percentage", 25.0f), event.get("details"));

        // approving an approved step again changes nothing: same approval, no second event
        approve(id, "again").then().statusCode(200).body("approval.reason", org.hamcrest.Matchers.is("canary is clean"));
        assertEquals(1, count(id, "approved"));

        Api.advance(id).then().statusCode(200).body("currentPercentage", org.hamcrest.Matchers.is(25.0f))
                .body("awaitingApproval", org.hamcrest.Matchers.is(false))
                .body("approval", org.hamcrest.Matchers.nullValue());
        Response notRequired = approve(id, "next one");
        problem(notRequired, 409, "approval-not-required");
        assertEquals(1, count(id, "approved"));

        GrafanaStub grafana = GrafanaStubResource.stub();
        Object seq = event.get("seq");
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.annotationsTagged("rollout:" + id, "event:" + seq)
                .size() == 1);
        GrafanaStub.Stored annotation = grafana.annotationsTagged("rollout:" + id, "event:" + seq).get(0);
        assertTrue(annotation.has("action:approved"), annotation.tags().toString());
        assertTrue(annotation.text().endsWith(": approved the step from 5 % to 25 % by " + STARTER
                + ". Reason: canary is clean"), annotation.text());
        assertTrue(grafana.postsTagged("rollout:" + id, "event:" + seq).size() >= 1);
    }

    @Test
    void approvalRequiredComesAfterTooEarlyAndBeforeGatesFailing() {
        watch.hold(); // the watch would pause the rollout whose gate fails
        // approval on the first step: no dwell stands before it, and its gate never passes
        String gated = startRollout(plan("MANUAL", List.of(step(5, "PT0S", true), step(100, "PT0S", false)),
                Map.of("gates", List.of(NEVER_UP))), unique("svc"));
        problem(Api.advance(gated), 409, "approval-required");
        approve(gated, "go").then().statusCode(200);
        problem(Api.advance(gated), 409, "gates-failing");

        String dwelling = rollout("PT1H", Map.of());
        Api.advance(dwelling).then().statusCode(200);
        problem(Api.advance(dwelling), 409, "too-early");
        clock.advance(Duration.ofHours(1));
        problem(Api.advance(dwelling), 409, "approval-required");

        Api.command(dwelling, "pause", "hold").then().statusCode(200);
        problem(Api.advance(dwelling), 409, "not-progressing");
    }

    @Test
    void anotherOperatorMustApproveWhenThePlanSaysSo() {
        String id = rollout("PT0S", Map.of("approvalBy", "another-operator"));
        Api.advance(id).then().statusCode(200);
        Response self = approve(id, "my own change");
        problem(self, 403, "approval-not-allowed");
        self.then().body("startedBy", org.hamcrest.Matchers.is(STARTER));
        assertEquals(0, count(id, "approved"));
        problem(Api.advance(id), 409, "approval-required");

        String[] operator = Auth.newToken("operator");
        approve(Auth.as(operator[1]), id, "reviewed").then().statusCode(200)
                .body("approval.approvedBy", org.hamcrest.Matchers.is(operator[0]));
        Api.advance(id).then().statusCode(200).body("currentPercentage", org.hamcrest.Matchers.is(25.0f));

        // a deployer may advance but not approve
        String deployer = Auth.newToken("deployer")[1];
        problem(approve(Auth.as(deployer), rollout("PT0S", Map.of()), "x"), 403, "forbidden");
    }

    @Test
    void anApprovalHoldsThroughPauseAndResumeButNotThroughARollback() {
        String id = rollout("PT0S", Map.of());
        Api.advance(id).then().statusCode(200);
        Api.command(id, "pause", "hold").then().statusCode(200);
        approve(id, "approved while paused").then().statusCode(200);
        Api.command(id, "resume", null).then().statusCode(200)
                .body("approval.reason", org.hamcrest.Matchers.is("approved while paused"))
                .body("awaitingApproval", org.hamcrest.Matchers.is(false));
        Api.advance(id).then().statusCode(200).body("currentPercentage", org.hamcrest.Matchers.is(25.0f));

        String rolledBack = rollout("PT0S", Map.of());
        Api.advance(rolledBack).then().statusCode(200);
        approve(rolledBack, "looks good").then().statusCode(200);
        Api.command(rolledBack, "rollback", "bad build").then().statusCode(200)
                .body("approval", org.hamcrest.Matchers.nullValue())
                .body("awaitingApproval", org.hamcrest.Matchers.is(false));
        Response finished = approve(rolledBack, "again");
        problem(finished, 409, "already-finished");
        finished.then().body("state", org.hamcrest.Matchers.is("ROLLED_BACK"));
        assertEquals(1, count(rolledBack, "approved"));
    }

    @Test
    void anAdminsAuditedOverrideSetsAMissingApprovalAsideAndSaysSo() {
        String id = rollout("PT0S", Map.of("approvalBy", "another-operator"));
        Api.advance(id).then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("override", true, "reason", "incident fix, approver away"))
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200)
                .body("currentPercentage", org.hamcrest.Matchers.is(25.0f));
        Map<String, Object> override = Api.history(id).stream().filter(e -> "override".equals(e.get("action")))
                .findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) override.get("details");
        assertEquals(List.of("approval"), details.get("bypassed"));
        assertEquals(0, count(id, "approved"));
    }

    @Test
    void approveWorksWithAnIdempotencyKey() {
        String id = rollout("PT0S", Map.of());
        Api.advance(id).then().statusCode(200);
        String key = unique("approve-key");
        Response first = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("reason", "ok")).post("/api/v1/rollouts/" + id + "/approve");
        first.then().statusCode(200);
        Response again = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("reason", "ok")).post("/api/v1/rollouts/" + id + "/approve");
        again.then().statusCode(200).header("Idempotent-Replayed", "true");
        assertEquals(first.asString(), again.asString());
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(Map.of("reason", "other"))
                .post("/api/v1/rollouts/" + id + "/approve"), 422, "idempotency-key-reused");
        assertEquals(1, count(id, "approved"));
    }

    @Test
    void theAutomaticWatchWaitsForTheApprovalAndTheMetricShowsTheWait() {
        watch.hold();
        String id = startRollout(plan("AUTOMATIC", List.of(step(5, "PT0S", false), step(50, "PT0S", true),
                step(100, "PT0S", false)), Map.of()), unique("svc"));
        watch.tick();
        assertEquals(5.0f, (Float) Api.get(id).path("currentPercentage"));
        int events = Api.history(id).size();
        for (int i = 0; i < 3; i++) {
            watch.tick();
        }
        clock.advance(Duration.ofDays(2));
        watch.tick();
        Api.get(id).then().body("currentPercentage", org.hamcrest.Matchers.is(5.0f))
                .body("awaitingApproval", org.hamcrest.Matchers.is(true));
        assertEquals(events, Api.history(id).size(), "waiting for an approval records nothing, tick after tick");
        await().atMost(Duration.ofSeconds(30)).until(() -> awaitingApproval(id) == 1.0);

        approve(id, "ship it").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> awaitingApproval(id) == 0.0);
        watch.tick();
        assertEquals(50.0f, (Float) Api.get(id).path("currentPercentage"));
        Map<String, Object> step = Api.history(id).stream().filter(e -> "step".equals(e.get("action"))
                && Float.valueOf(50.0f).equals(e.get("toPercentage"))).findFirst().orElseThrow();
        assertEquals("controller", step.get("actor"));
        watch.tick();
        assertEquals("COMPLETED", Api.get(id).path("state"));
        assertFalse(Metrics.scrape().asString().contains("rollout_id=\"" + id + "\""),
                "a finished rollout's gauges are removed");
        assertNull(Api.get(id).path("approval"));
    }

    /** This rollout's rollout_awaiting_approval gauge, or -1 while it has none. */
    private static double awaitingApproval(String id) {
        for (String line : Metrics.scrape().asString().split("\n")) {
            if (line.startsWith("rollout_awaiting_approval{") && line.contains("rollout_id=\"" + id + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
