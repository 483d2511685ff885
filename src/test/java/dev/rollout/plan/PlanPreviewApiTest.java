package dev.rollout.plan;

import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** {@code POST /plans/preview}: the answer's shape, the same errors as POST /plans, and nothing stored. */
@QuarkusTest
class PlanPreviewApiTest {

    @Test
    void aValidPlanIsPreviewedForAViewerAndNothingIsStored() {
        String name = unique("preview");
        Map<String, Object> body = new HashMap<>(plan(name, "AUTOMATIC", "PAUSE", List.of(step(5, "PT24H"),
                step(10, "PT24H"), step(25, "PT24H"), step(50, "PT24H"), step(75, "PT24H"), step(100, "PT0S"))));
        body.put("finalBake", "PT4H");
        body.put("minTotalDuration", "P5D");
        String viewer = Auth.newToken("viewer")[1];
        Auth.as(viewer).contentType(ContentType.JSON).body(body).post("/api/v1/plans/preview").then()
                .statusCode(200).contentType(ContentType.JSON)
                .body("valid", equalTo(true))
                .body("errors", empty())
                .body("schedule.percentage", contains(5f, 10f, 25f, 50f, 75f, 100f))
                .body("schedule.earliestAfter", contains("PT0S", "P1D", "P2D", "P3D", "P4D", "P5D"))
                .body("schedule[0].minDwell", equalTo("PT24H"))
                .body("minimumDuration", equalTo("P5DT4H"))
                .body("warnings.code", contains("no-gates", "automatic-without-gates"))
                .body("warnings[0].message", not(empty()));
        given().get("/api/v1/plans/" + name).then().statusCode(404);
    }

    @Test
    void anInvalidPlanAnswersTheErrorsPostPlansWouldGive() {
        String name = unique("preview");
        Map<String, Object> body = Map.of("name", name, "mode", "SOMETIMES", "onViolation", "PAUSE",
                "steps", List.of(step(10, "PT1H"), step(5, "PT1H")));
        List<String> refused = given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then()
                .statusCode(400).extract().path("errors");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans/preview").then()
                .statusCode(200)
                .body("valid", equalTo(false))
                .body("errors", equalTo(refused))
                .body("schedule", empty())
                .body("minimumDuration", nullValue());
        given().get("/api/v1/plans/" + name).then().statusCode(404);
    }

    @Test
    void unreadableBodiesAreProblemsAndAnonymousCallersAreRefused() {
        given().contentType(ContentType.JSON).body("{\"name\": ").post("/api/v1/plans/preview").then()
                .statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("name", "x", "colour", "blue"))
                .post("/api/v1/plans/preview").then().statusCode(400).contentType("application/problem+json");
        Auth.anonymous().contentType(ContentType.JSON).body(plan(unique("p"), "MANUAL", "PAUSE", seedSteps("PT1H")))
                .post("/api/v1/plans/preview").then().statusCode(401);
    }

    @Test
    void aPlanNamedPreviewIsStillReadable() {
        given().contentType(ContentType.JSON).body(plan("preview", "MANUAL", "PAUSE", seedSteps("PT1H")))
                .post("/api/v1/plans").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        given().get("/api/v1/plans/preview").then().statusCode(200).body("name", equalTo("preview"));
        given().get("/api/v1/plans").then().statusCode(200).body("name", hasItem("preview"));
        given().options("/api/v1/plans/preview").then().statusCode(204)
                .header("Allow", equalTo("GET, HEAD, OPTIONS, POST"));
        given().contentType(ContentType.JSON).body(plan("preview", "MANUAL", "PAUSE", seedSteps("PT1H")))
                .post("/api/v1/plans/preview").then().statusCode(200)
                .body("warnings.code", contains("no-gates", "short-final-bake"));
    }
}
