package dev.rollout.plan;

import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.rollout.support.Api;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class PlanApiTest {

    @Test
    void createsAPlanWithLocationAndNormalisedDurations() {
        String name = unique("seed");
        Map<String, Object> body = new HashMap<>(plan(name, "MANUAL", "PAUSE", List.of(
                step(5, "PT29H"), step(10, "PT29H"), step(25, "PT29H"), step(50, "PT29H"), step(75, "PT29H"),
                step(100, "pt0s"))));
        body.put("minTotalDuration", "P7D");
        body.put("finalBake", "PT24H");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans")
                .then().statusCode(201)
                .header("Location", endsWith("/api/v1/plans/" + name + "?version=1"))
                .body("name", equalTo(name)).body("version", equalTo(1))
                .body("minTotalDuration", equalTo("PT168H")).body("finalBake", equalTo("PT24H"))
                .body("steps[5].minDwell", equalTo("PT0S"))
                .body("steps[0].minDwell", equalTo("PT29H")).body("steps", hasSize(6))
                .body("createdBy", equalTo("bootstrap-admin"));
        given().get("/api/v1/plans/" + name).then().statusCode(200).body("steps[5].percentage", equalTo(100.0f));
        assertNotNull(Api.find("/api/v1/plans", "name", name), "listed");
    }

    @Test
    void postingTheSameNameCreatesTheNextVersionAndNeverChangesTheOld() {
        String name = unique("versioned");
        dev.rollout.support.Api.createPlan(plan(name, "MANUAL", "PAUSE", seedSteps("PT1H")));
        given().contentType(ContentType.JSON).body(plan(name, "AUTOMATIC", "ROLLBACK", seedSteps("PT2H")))
                .post("/api/v1/plans").then().statusCode(201).body("version", equalTo(2));
        given().get("/api/v1/plans/" + name).then().body("version", equalTo(2)).body("mode", equalTo("AUTOMATIC"));
        given().get("/api/v1/plans/" + name + "?version=1").then().statusCode(200)
                .body("mode", equalTo("MANUAL")).body("steps[0].minDwell", equalTo("PT1H"));
        given().get("/api/v1/plans/" + name + "/versions").then().statusCode(200).body("version", equalTo(List.of(1, 2)));
    }

    @Test
    void anExplicitVersionThatExistsIsAConflict() {
        String name = unique("explicit");
        dev.rollout.support.Api.createPlan(plan(name, "MANUAL", "PAUSE", seedSteps("PT1H")));
        Map<String, Object> again = new HashMap<>(plan(name, "MANUAL", "PAUSE", seedSteps("PT5H")));
        again.put("version", 1);
        given().contentType(ContentType.JSON).body(again).post("/api/v1/plans")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/plan-version-exists")).body("latestVersion", equalTo(1));
        given().get("/api/v1/plans/" + name).then().body("steps[0].minDwell", equalTo("PT1H"));
    }

    @Test
    void anInvalidPlanIsRefusedWithEveryProblemNamedAndNothingStored() {
        String name = unique("invalid");
        Map<String, Object> body = new HashMap<>(plan(name, "SOMETIMES", "PAUSE",
                List.of(step(10, "PT1H"), step(5, "one hour"))));
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-plan"))
                .body("status", equalTo(400))
                .body("errors", hasItem(startsWith("mode:")))
                .body("errors", hasItem(startsWith("steps[1].percentage:")))
                .body("errors", hasItem(startsWith("steps[1].minDwell:")))
                .body("errors", hasItem(startsWith("steps: the last step must be 100")));
        given().get("/api/v1/plans/" + name).then().statusCode(404).body("type", equalTo("/problems/not-found"));
    }

    @Test
    void theBriefsExamplePlanIsRefusedBecauseItsDwellsCannotHonourSevenDays() {
        Map<String, Object> body = new HashMap<>(plan(unique("phase_4"), "MANUAL", "PAUSE", List.of(
                step(5, "PT24H"), step(10, "PT24H"), step(25, "PT24H"), step(50, "PT24H"), step(75, "PT24H"),
                step(100, "PT0S"))));
        body.put("minTotalDuration", "P7D");
        body.put("finalBake", "PT1H");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans")
                .then().statusCode(400).body("detail", containsString("minTotalDuration"))
                .body("detail", containsString("P5DT1H"));
    }

    @Test
    void aPlanKeepsItsGatesAndRefusesBadOnes() {
        String name = unique("gated");
        Map<String, Object> body = new HashMap<>(plan(name, "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", List.of(Map.of("name", "orchestrator-up", "kind", "target-up",
                "query", "up{job=\"genesis-orchestrator\"}"),
                Map.of("name", "no-alerts", "kind", "no-firing-alerts", "matchers", List.of("severity=~\"warning|critical\""))));
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(201)
                .body("gates[0].kind", equalTo("target-up")).body("gates[1].matchers[0]", equalTo("severity=~\"warning|critical\""));
        given().get("/api/v1/plans/" + name).then().body("gates[0].query", equalTo("up{job=\"genesis-orchestrator\"}"));

        body.put("gates", List.of(Map.of("name", "a", "kind", "query-threshold", "query", "rate(x[5m])", "condition", "<< 1"),
                Map.of("name", "a", "kind", "no-firing-alerts", "matchers", List.of("severity=~\"(\""))));
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"))
                .body("errors", hasItem(startsWith("gates[0].condition")))
                .body("errors", hasItem(startsWith("gates[1].name")))
                .body("errors", hasItem(startsWith("gates[1].matchers[0]")));
        body.put("gates", List.of(Map.of("name", "a", "kind", "cpu-ok", "query", "x")));
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(400)
                .body("detail", containsString("gates[0].kind")).body("detail", containsString("target-up"));
    }

    @Test
    void unknownPlansAre404() {
        given().get("/api/v1/plans/no-such-plan").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("no-such-plan"));
        given().get("/api/v1/plans/no-such-plan/versions").then().statusCode(404);
    }

    @Test
    void lowerCaseDurationsAreStoredNormalisedAndSignedOnesAreRefusedByField() {
        String name = unique("durations");
        given().contentType(ContentType.JSON).body(plan(name, "MANUAL", "PAUSE", seedSteps("pt1h30m")))
                .post("/api/v1/plans").then().statusCode(201).body("steps[0].minDwell", equalTo("PT1H30M"));
        given().get("/api/v1/plans/" + name).then().body("steps[0].minDwell", equalTo("PT1H30M"));
        for (String signed : List.of("PT1H-30M", "-PT1H", "PT-1H", "PT+1H")) {
            Map<String, Object> body = new HashMap<>(plan(unique("signed"), "MANUAL", "PAUSE",
                    List.of(step(50, signed), step(100, "PT0S"))));
            body.put("finalBake", signed);
            body.put("minTotalDuration", signed);
            given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(400)
                    .body("type", equalTo("/problems/invalid-plan"))
                    .body("errors", hasItem(startsWith("steps[0].minDwell: must not be negative")))
                    .body("errors", hasItem(startsWith("finalBake: must not be negative")))
                    .body("errors", hasItem(startsWith("minTotalDuration: must not be negative")));
        }
    }

    @Test
    void postingTheLatestVersionAgainIsIdempotent() {
        String name = unique("reapply");
        Map<String, Object> body = new HashMap<>(plan(name, "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("finalBake", "PT2H");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(201)
                .body("version", equalTo(1));
        body.put("finalBake", "pt2h"); // the same plan, written differently
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(200)
                .header("Location", endsWith("/api/v1/plans/" + name + "?version=1")).body("version", equalTo(1));
        body.put("version", 1);
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(200)
                .body("version", equalTo(1));
        body.remove("version");
        given().get("/api/v1/plans/" + name + "/versions").then().body("version", equalTo(List.of(1)));
        body.put("finalBake", "PT3H");
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(201)
                .body("version", equalTo(2));
    }
}
