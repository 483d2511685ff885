package dev.rollout.security;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HeaderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * Ambiguous and malformed input is refused with a 400 problem that names what is wrong, never read in
 * one of several possible ways, and changes nothing: duplicate JSON keys, badly typed or repeated query
 * parameters, control characters in reasons, empty or repeated {@code Idempotency-Key} headers.
 */
@QuarkusTest
class StrictInputTest {

    private static ValidatableResponse problem(ValidatableResponse response, int status, String type) {
        return response.statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("/problems/" + type)).body("status", equalTo(status));
    }

    // --- duplicate keys -------------------------------------------------------------------------------

    @Test
    void aDuplicatedRoleDoesNotMintAnAdminToken() {
        String name = unique("dup");
        problem(given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"role\":\"viewer\",\"role\":\"admin\"}").post("/api/v1/tokens")
                .then(), 400, "duplicate-key").body("detail", containsString("role"));
        assertNull(Api.find("/api/v1/tokens", "name", name), "no token was made");
    }

    @Test
    void duplicateKeysInAPlanAreRefusedWhereverTheyAre() {
        String name = unique("dup-plan");
        String steps = "[{\"percentage\":50,\"percentage\":60,\"minDwell\":\"PT1H\"},{\"percentage\":100,\"minDwell\":\"PT0S\"}]";
        problem(given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":" + steps + "}")
                .post("/api/v1/plans").then(), 400, "duplicate-key")
                .body("detail", containsString("steps[0].percentage"));
        String dwell = "[{\"percentage\":100,\"minDwell\":\"PT1H\",\"minDwell\":\"PT0S\"}]";
        problem(given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\",\"steps\":" + dwell + "}")
                .post("/api/v1/plans").then(), 400, "duplicate-key")
                .body("detail", containsString("steps[0].minDwell"));
        problem(given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"name\":\"other\",\"mode\":\"MANUAL\",\"onViolation\":\"PAUSE\","
                        + "\"steps\":[{\"percentage\":100,\"minDwell\":\"PT0S\"}]}")
                .post("/api/v1/plans").then(), 400, "duplicate-key").body("detail", containsString("name"));
        given().get("/api/v1/plans/" + name).then().statusCode(404);
        given().get("/api/v1/plans/other").then().statusCode(404);
    }

    @Test
    void duplicateKeysInRolloutBodiesAreRefused() {
        String id = Api.startManualRollout("PT1H");
        problem(given().contentType(ContentType.JSON).body("{\"reason\":\"a\",\"reason\":\"b\"}")
                .post("/api/v1/rollouts/" + id + "/pause").then(), 400, "duplicate-key")
                .body("detail", containsString("reason"));
        problem(given().contentType(ContentType.JSON).body("{\"override\":false,\"override\":true,\"reason\":\"r\"}")
                .post("/api/v1/rollouts/" + id + "/advance").then(), 400, "duplicate-key")
                .body("detail", containsString("override"));
        problem(given().contentType(ContentType.JSON)
                .body("{\"plan\":\"p\",\"target\":\"t\",\"target\":\"u\",\"version\":\"v1\"}")
                .post("/api/v1/rollouts").then(), 400, "duplicate-key").body("detail", containsString("target"));
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(0.0f));
        assertEquals(List.of("started"), Api.history(id).stream().map(e -> e.get("action")).toList());
    }

    // --- query parameters -----------------------------------------------------------------------------

    @Test
    void badlyTypedQueryParametersAre400sNamingTheParameter() {
        for (String limit : List.of("abc", "1.5", "", "99999999999", "-1", "0", "1001")) {
            problem(given().queryParam("limit", limit).get("/api/v1/rollouts").then(), 400, "invalid-request")
                    .body("detail", containsString("limit"));
        }
        problem(given().queryParam("state", "progressing").get("/api/v1/rollouts").then(), 400, "invalid-request")
                .body("detail", containsString("state"));
        String plan = Api.createPlan(Api.plan(unique("plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        for (String version : List.of("abc", "1.5", "", "0", "-3", "99999999999")) {
            problem(given().queryParam("version", version).get("/api/v1/plans/" + plan).then(), 400,
                    "invalid-request").body("detail", containsString("version"));
        }
        given().queryParam("limit", "5").get("/api/v1/rollouts").then().statusCode(200);
        given().queryParam("version", "1").get("/api/v1/plans/" + plan).then().statusCode(200);
        given().queryParam("version", "2").get("/api/v1/plans/" + plan).then().statusCode(404);
    }

    @Test
    void repeatedQueryParametersAreRefused() {
        problem(given().urlEncodingEnabled(false).get("/api/v1/rollouts?limit=5&limit=1000").then(), 400,
                "invalid-request").body("detail", containsString("limit"));
        problem(given().urlEncodingEnabled(false).get("/api/v1/rollouts?state=PAUSED&state=COMPLETED").then(), 400,
                "invalid-request").body("detail", containsString("state"));
        String plan = Api.createPlan(Api.plan(unique("plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        problem(given().urlEncodingEnabled(false).get("/api/v1/plans/" + plan + "?version=1&version=2").then(), 400,
                "invalid-request").body("detail", containsString("version"));
    }

    // --- reasons --------------------------------------------------------------------------------------

    @Test
    void reasonsRefuseEveryControlCharacter() {
        String id = Api.startManualRollout("PT1H");
        for (String bad : List.of("line\nbreak", "carriage\rreturn", "tab\there", "next\u0085line", "bell\u0007",
                "del\u007f", "c1\u009b31m")) {
            problem(Api.command(id, "pause", bad).then(), 400, "invalid-request")
                    .body("detail", containsString("control characters"));
        }
        Api.get(id).then().body("state", equalTo("PROGRESSING"));
        assertEquals(List.of("started"), Api.history(id).stream().map(e -> e.get("action")).toList());
    }

    @Test
    void reasonLengthIsCountedInCodePoints() {
        String id = Api.startManualRollout("PT1H");
        String thousandEmoji = "\uD83D\uDE80".repeat(1000);
        Api.command(id, "pause", thousandEmoji).then().statusCode(200).body("state", equalTo("PAUSED"));
        problem(Api.command(id, "resume", thousandEmoji + "x").then(), 400, "invalid-request")
                .body("detail", containsString("1000"));
        Api.get(id).then().body("state", equalTo("PAUSED"));
    }

    // --- Idempotency-Key ------------------------------------------------------------------------------

    @Test
    void anEmptyIdempotencyKeyIsRefused() {
        String id = Api.startManualRollout("PT0S");
        problem(given().contentType(ContentType.JSON).header(IDEMPOTENCY_KEY, "")
                .post("/api/v1/rollouts/" + id + "/advance").then(), 400, "invalid-idempotency-key");
        problem(given().contentType(ContentType.JSON).header(IDEMPOTENCY_KEY, "")
                .body(Map.of("plan", "p", "target", unique("t"), "version", "v1")).post("/api/v1/rollouts").then(),
                400, "invalid-idempotency-key");
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
    }

    @Test
    void aRepeatedIdempotencyKeyIsRefused() {
        String id = Api.startManualRollout("PT0S");
        RestAssuredConfig twice = RestAssuredConfig.config().headerConfig(HeaderConfig.headerConfig()
                .mergeHeadersWithName(IDEMPOTENCY_KEY));
        problem(given().config(twice).contentType(ContentType.JSON).header(IDEMPOTENCY_KEY, "key-a")
                .header(IDEMPOTENCY_KEY, "key-b").post("/api/v1/rollouts/" + id + "/advance").then(), 400,
                "invalid-idempotency-key").body("detail", containsString("once"));
        String plan = Api.createPlan(Api.plan(unique("plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        String target = unique("target");
        problem(given().config(twice).contentType(ContentType.JSON).header(IDEMPOTENCY_KEY, "key-a")
                .header(IDEMPOTENCY_KEY, "key-b").body(Map.of("plan", plan, "target", target, "version", "v1"))
                .post("/api/v1/rollouts").then(), 400, "invalid-idempotency-key");
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
        given().queryParam("state", "PROGRESSING").get("/api/v1/rollouts").then().statusCode(200)
                .body("target", not(hasItem(target)));
    }

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
}
