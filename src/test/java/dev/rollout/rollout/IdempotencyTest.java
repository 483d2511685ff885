package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startManualRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class IdempotencyTest {

    @Inject
    TestClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static Response advance(String id, String key) {
        return given().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .post("/api/v1/rollouts/" + id + "/advance");
    }

    @Test
    void aRetriedAdvanceReturnsTheFirstAnswerAndNeverActsTwice() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Api.startRollout(plan, unique("target"));
        String key = "deploy-" + UUID.randomUUID();
        Response first = advance(id, key);
        first.then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Response retry = advance(id, key);
        retry.then().statusCode(200).header("Idempotent-Replayed", "true").body("currentPercentage", equalTo(5.0f));
        assertEquals(first.asString(), retry.asString());
        // zero dwell: without the key a second call would move on; with it, nothing moved
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
        assertEquals(1, Api.history(id).stream().filter(e -> e.get("action").equals("step")).count());
    }

    @Test
    void concurrentRetriesWithOneKeyActOnce() throws Exception {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Api.startRollout(plan, unique("target"));
        String key = "k-" + UUID.randomUUID();
        List<Response> responses = ConcurrencyTest.concurrently(20, () -> advance(id, key));
        for (Response response : responses) {
            response.then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        }
        Api.get(id).then().body("stepIndex", equalTo(0));
    }

    @Test
    void aRefusalIsNotRememberedSoTheSameKeyWorksOnceTheDwellIsOver() {
        String id = startManualRollout("PT1H");
        advance(id, "first-step").then().statusCode(200);
        advance(id, "second-step").then().statusCode(409).body("type", equalTo("/problems/too-early"));
        clock.advance(Duration.ofHours(1));
        advance(id, "second-step").then().statusCode(200).body("currentPercentage", equalTo(10.0f));
        advance(id, "second-step").then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("currentPercentage", equalTo(10.0f));
    }

    @Test
    void aRetriedStartReturnsTheSameRollout() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        Map<String, String> body = Map.of("plan", plan, "target", unique("target"), "version", "v1");
        String key = UUID.randomUUID().toString();
        Response first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/rollouts");
        first.then().statusCode(201);
        Response retry = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/rollouts");
        retry.then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(first.path("id")));
        assertEquals(first.header("Location"), retry.header("Location"));
        given().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", unique("other"), "version", "v1"))
                .post("/api/v1/rollouts").then().statusCode(422)
                .body("type", equalTo("/problems/idempotency-key-reused"));
    }

    @Test
    void malformedKeysAreRefusedBeforeAnythingHappens() {
        String id = startManualRollout("PT0S");
        advance(id, "x".repeat(256)).then().statusCode(400).body("type", equalTo("/problems/invalid-idempotency-key"));
        advance(id, "has space").then().statusCode(400);
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
        assertEquals(1, Api.history(id).size());
    }
}
