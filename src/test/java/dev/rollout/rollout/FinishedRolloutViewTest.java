package dev.rollout.rollout;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.startManualRollout;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateKind;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateStatus;
import io.quarkus.test.junit.QuarkusTest;

/** What a client sees of rollouts that are over, and the words and precision of answers. */
@QuarkusTest
class FinishedRolloutViewTest {

    @Test
    void aFinishedRolloutHasNoNextPercentage() {
        String active = startManualRollout("PT1H");
        given().get("/api/v1/rollouts/" + active).then().statusCode(200).body("nextPercentage", equalTo(5.0f));
        String rolledBack = startManualRollout("PT0S");
        advance(rolledBack).then().statusCode(200);
        command(rolledBack, "rollback", "bad build").then().statusCode(200).body("state", equalTo("ROLLED_BACK"))
                .body("nextPercentage", nullValue());
        given().get("/api/v1/rollouts/" + rolledBack).then().body("nextPercentage", nullValue());
        String aborted = startManualRollout("PT1H");
        command(aborted, "abort", "wrong target").then().statusCode(200).body("state", equalTo("ABORTED"))
                .body("nextPercentage", nullValue());
    }

    @Test
    void oneProblemTypeHasOneTitle() {
        String id = startManualRollout("PT1H");
        command(id, "abort", "stop").then().statusCode(200);
        String fromAdvance = advance(id).then().statusCode(409).body("type", equalTo("/problems/not-progressing"))
                .extract().path("title");
        String fromPause = command(id, "pause", "hold").then().statusCode(409)
                .body("type", equalTo("/problems/not-progressing")).extract().path("title");
        assertEquals(fromAdvance, fromPause);

        String unknownRollout = given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000").then()
                .statusCode(404).body("type", equalTo("/problems/not-found")).extract().path("title");
        String unknownPath = given().get("/api/v1/no-such-thing").then().statusCode(404)
                .body("type", equalTo("/problems/not-found")).extract().path("title");
        assertEquals(unknownRollout, unknownPath);
    }

    @Test
    void gateResultTimesHaveMicrosecondsLikeEveryOtherTime() {
        GateResult result = new GateResult("up", GateKind.TARGET_UP, GateStatus.PASS, "ok",
                Instant.parse("2026-11-28T10:00:00.123456789Z"), Duration.ZERO);
        assertEquals(Instant.parse("2026-11-28T10:00:00.123456Z"), result.evaluatedAt());
    }
}
