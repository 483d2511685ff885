package dev.rollout.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Only an admin, saying why, may advance before the dwell is over; it is recorded and counted. */
@QuarkusTest
class OverrideTest {

    private static Response advance(String token, String id, Object body) {
        var request = Auth.as(token).contentType(ContentType.JSON);
        return (body == null ? request : request.body(body)).post("/api/v1/rollouts/" + id + "/advance");
    }

    /** A rollout at 5 % whose 24-hour dwell has just started. */
    private static String rolloutInDwell() {
        String id = Api.startManualRollout("PT24H");
        Api.advance(id).then().statusCode(200);
        return id;
    }

    @Test
    void anAdminOverrideMovesOnAndIsRecordedWithWhoAndWhy() {
        String[] admin = Auth.newToken("admin");
        String id = rolloutInDwell();
        double before = overridesCounted();
        advance(admin[1], id, Map.of("override", true, "reason", "hotfix for INC-42, approved by CAB"))
                .then().statusCode(200).body("currentPercentage", equalTo(10.0f));
        List<Map<String, Object>> history = Api.history(id);
        Map<String, Object> override = history.get(history.size() - 2);
        Map<String, Object> step = history.get(history.size() - 1);
        assertEquals("override", override.get("action"));
        assertEquals(admin[0], override.get("actor"));
        assertEquals("hotfix for INC-42, approved by CAB", override.get("reason"));
        assertEquals(5.0f, override.get("fromPercentage"));
        assertEquals(10.0f, override.get("toPercentage"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) override.get("details");
        assertEquals(List.of("dwell"), details.get("bypassed"));
        assertEquals("step", step.get("action"));
        assertEquals(admin[0], step.get("actor"));
        assertEquals(Map.of("override", true), Map.of("override", ((Map<?, ?>) step.get("details")).get("override")));
        assertEquals(before + 1, overridesCounted(), 0.001);
        // the next step's dwell starts in full: no second move without another override
        Api.advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
    }

    @Test
    void nobodyElseMayOverrideAndNothingChanges() {
        String id = rolloutInDwell();
        List<Map<String, Object>> history = Api.history(id);
        double counted = overridesCounted();
        for (String role : List.of("viewer", "deployer", "operator")) {
            advance(Auth.newToken(role)[1], id, Map.of("override", true, "reason", "I am in a hurry"))
                    .then().statusCode(403).contentType("application/problem+json")
                    .body("requiredRole", equalTo(role.equals("viewer") ? "deployer" : "admin"));
        }
        advance(Auth.jwt("sso-operator", List.of("operator")), id, Map.of("override", true, "reason", "x"))
                .then().statusCode(403);
        assertEquals(history, Api.history(id));
        assertEquals(counted, overridesCounted(), 0.001, "a refused override is not counted");
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void anOverrideNeedsAReasonAndTheExplicitFlag() {
        String admin = Auth.newToken("admin")[1];
        String id = rolloutInDwell();
        List<Map<String, Object>> history = Api.history(id);
        for (Object body : List.of(Map.of("override", true), Map.of("override", true, "reason", "  "),
                Map.of("override", true, "reason", "x".repeat(1001)))) {
            advance(admin, id, body).then().statusCode(400).body("type", equalTo("/problems/invalid-request"));
        }
        assertEquals(history, Api.history(id));
        // without the flag an admin is held to the dwell like everybody else
        advance(admin, id, Map.of("override", false, "reason", "please")).then().statusCode(409)
                .body("type", equalTo("/problems/too-early"));
        advance(admin, id, null).then().statusCode(409);
        given().contentType(ContentType.JSON).body("{\"override\":\"yes\",\"reason\":\"r\"}")
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"skipDwell\":true}")
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(400)
                .body("type", equalTo("/problems/unknown-field"));
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void anIdempotencyKeyCannotTurnAPlainAdvanceIntoAnOverride() {
        String id = Api.startManualRollout("PT24H");
        given().header("Idempotency-Key", "k-" + id).contentType(ContentType.JSON)
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200);
        given().header("Idempotency-Key", "k-" + id).contentType(ContentType.JSON)
                .body(Map.of("override", true, "reason", "replay me")).post("/api/v1/rollouts/" + id + "/advance")
                .then().statusCode(422).body("type", equalTo("/problems/idempotency-key-reused"));
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void aPlainAdvanceWithoutBodyOrContentTypeStillWorks() {
        String id = Api.startManualRollout("PT1H");
        given().post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200)
                .body("currentPercentage", equalTo(5.0f));
    }

    static double overridesCounted() {
        String metrics = Metrics.scrape().then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^rollout_overrides_total\\{[^}]*bypassed=\"dwell\"[^}]*\\} (\\S+)$")
                .matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
