package dev.rollout.problem;

import static dev.rollout.support.Api.startManualRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every bad input gets a 4xx problem+json that says what is wrong, and changes nothing. */
@QuarkusTest
class BadInputTest {

    private static final String VALID_STEPS = "[{\"percentage\":50,\"minDwell\":\"PT1H\"},{\"percentage\":100,\"minDwell\":\"PT0S\"}]";

    private static void refusedPlan(String body, int status, String type, String detailPart) {
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans")
                .then().statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("/problems/" + type)).body("title", notNullValue())
                .body("status", equalTo(status)).body("detail", containsString(detailPart));
    }

    @Test
    void malformedJsonIsA400() {
        refusedPlan("{\"name\": ", 400, "invalid-json", "not valid JSON");
        refusedPlan("{\"name\": \"x\"} trailing", 400, "invalid-json", "");
        refusedPlan("not json at all", 400, "invalid-json", "");
    }

    @Test
    void unknownFieldsAreNamed() {
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":" + VALID_STEPS
                + ",\"dwellOverride\":true}", 400, "unknown-field", "dwellOverride");
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":"
                + "[{\"percentage\":100,\"minDwell\":\"PT0S\",\"skip\":1}]}", 400, "unknown-field", "steps[0].skip");
    }

    @Test
    void wrongTypesAreNamed() {
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":"
                + "[{\"percentage\":\"100\",\"minDwell\":\"PT0S\"}]}", 400, "invalid-json", "steps[0].percentage");
        refusedPlan("{\"name\":42,\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":" + VALID_STEPS + "}",
                400, "invalid-json", "name");
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":{}}", 400, "invalid-json",
                "steps");
        refusedPlan("[1,2,3]", 400, "invalid-json", "");
        refusedPlan("{\"name\":\"x\",\"version\":1.5,\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":"
                + VALID_STEPS + "}", 400, "invalid-json", "version");
    }

    @Test
    void badDurationsAreNamed() {
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":"
                + "[{\"percentage\":100,\"minDwell\":\"24 hours\"}]}", 400, "invalid-plan", "steps[0].minDwell");
        refusedPlan("{\"name\":\"x\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"finalBake\":\"P1Y\",\"steps\":"
                + VALID_STEPS + "}", 400, "invalid-plan", "finalBake");
    }

    @Test
    void anEmptyOrMissingBodyIsA400() {
        given().contentType(ContentType.JSON).post("/api/v1/plans").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("null").post("/api/v1/rollouts").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void aWrongContentTypeIsA415() {
        given().contentType(ContentType.TEXT).body("hello").post("/api/v1/plans").then().statusCode(415)
                .contentType("application/problem+json").body("type", equalTo("/problems/unsupported-media-type"));
    }

    @Test
    void unknownPathsAndMethodsAreProblems() {
        given().get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
        given().delete("/api/v1/plans").then().statusCode(405).contentType("application/problem+json");
    }

    @Test
    void refusedBodiesOnARolloutChangeNothing() {
        String id = startManualRollout("PT1H");
        given().contentType(ContentType.JSON).body("{\"reason\": 5}").post("/api/v1/rollouts/" + id + "/pause")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"reason\":\"x\",\"force\":true}")
                .post("/api/v1/rollouts/" + id + "/rollback").then().statusCode(400)
                .body("type", equalTo("/problems/unknown-field"));
        given().contentType(ContentType.JSON).body("{\"plan\": ").post("/api/v1/rollouts").then().statusCode(400);
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(0.0f));
        assertEquals(List.of("started"), Api.history(id).stream().map(e -> e.get("action")).toList());
        given().get("/api/v1/plans/" + unique("never-created")).then().statusCode(404);
    }
}
