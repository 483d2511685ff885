package dev.rollout.security;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Identities cannot be confused or stretched: reserved actor names, namespaced JWT subjects and roles,
 * idempotency keys per credential, target-scoped credentials, and one-line reasons.
 */
@QuarkusTest
class IdentityHardeningTest {

    // ---- reserved names ---------------------------------------------------------------------------

    @Test
    void theControllersOwnActorNamesCannotBeTakenByAToken() {
        for (String name : List.of("controller", "Controller", "CONTROLLER", "configuration", "anonymous",
                "bootstrap-admin", "Bootstrap-Admin")) {
            given().contentType(ContentType.JSON).body(Map.of("name", name, "role", "admin")).post("/api/v1/tokens")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("/problems/invalid-request"));
        }
        given().get("/api/v1/tokens").then().statusCode(200).body("name", not(hasItem("controller")))
                .body("name", not(hasItem("Controller"))).body("name", not(hasItem("configuration")))
                .body("name", not(hasItem("anonymous")));
    }

    // ---- JWT subjects and roles -------------------------------------------------------------------

    @Test
    void aJwtSubjectIsShownWithItsIssuersHostSoItCannotPassForATokenOrTheController() {
        String operator = Auth.jwt("controller", List.of("operator"));
        String plan = unique("sso-ns");
        Auth.as(operator).contentType(ContentType.JSON).body(plan(plan, "MANUAL", "PAUSE", seedSteps("PT1H")))
                .post("/api/v1/plans").then().statusCode(201)
                .body("createdBy", equalTo("controller@sso.example.test"));
        String id = Auth.as(operator).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", unique("sso-ns-target"), "version", "v1"))
                .post("/api/v1/rollouts").then().statusCode(201).extract().path("id");
        assertEquals("controller@sso.example.test", Api.history(id).get(0).get("actor"));
    }

    @Test
    void aBareRealmRoleIsNotARoleHereOnlyTheNamespacedOneIs() throws Exception {
        JwtClaims bare = Auth.claims("realm-admin");
        bare.setStringListClaim("roles", List.of("admin"));
        String bareToken = Auth.sign(bare, Auth.testIssuerKey());
        Auth.as(bareToken).get("/api/v1/tokens").then().statusCode(403);
        Auth.as(bareToken).get("/api/v1/plans").then().statusCode(403);
        JwtClaims bareString = Auth.claims("realm-admin");
        bareString.setStringClaim("roles", "admin");
        Auth.as(Auth.sign(bareString, Auth.testIssuerKey())).get("/api/v1/tokens").then().statusCode(403);
        // the control: the namespaced role is this service's admin
        JwtClaims namespaced = Auth.claims("rollout-admin");
        namespaced.setStringListClaim("roles", List.of("admin", "rollout:admin"));
        Auth.as(Auth.sign(namespaced, Auth.testIssuerKey())).get("/api/v1/tokens").then().statusCode(200);
    }

    // ---- idempotency keys per credential ----------------------------------------------------------

    @Test
    void anIdempotencyKeyUsedByOneCredentialIsNotReplayedToAnother() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Api.startRollout(plan, unique("target"));
        String first = Auth.newToken("deployer")[1];
        String second = Auth.newToken("deployer")[1];
        String key = "deploy-" + UUID.randomUUID();
        Auth.as(first).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200)
                .body("currentPercentage", equalTo(5.0f));
        Response other = Auth.as(second).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .post("/api/v1/rollouts/" + id + "/advance");
        other.then().statusCode(200).body("currentPercentage", equalTo(10.0f));
        assertNull(other.header("Idempotent-Replayed"), "another credential's answer was replayed");
        // the first credential's retry still replays its own answer
        Auth.as(first).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void aStartKeyUsedByOneCredentialIsNotReplayedToAnother() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        Map<String, String> body = Map.of("plan", plan, "target", unique("target"), "version", "v1");
        String key = UUID.randomUUID().toString();
        String first = Auth.newToken("operator")[1];
        String second = Auth.newToken("operator")[1];
        String id = Auth.as(first).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/rollouts").then().statusCode(201).extract().path("id");
        // the other credential is refused as anybody would be (the target is busy), not handed the first answer
        Auth.as(second).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/rollouts").then().statusCode(409)
                .body("type", equalTo("/problems/active-rollout-exists"));
        assertEquals(1, Api.history(id).size());
    }

    // ---- target scopes ----------------------------------------------------------------------------

    private static String scopedToken(String role, List<String> targets) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("name", unique("scoped"), "role", role, "targets", targets)).post("/api/v1/tokens")
                .then().statusCode(201).body("targets", equalTo(targets)).extract().path("token");
    }

    @Test
    void aScopedTokenIsRefusedOutOfScopeOnOtherTargetsAndNothingChanges() {
        String prefix = unique("pay");
        String token = scopedToken("operator", List.of(prefix + "-*"));
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Api.startRollout(plan, unique("billing"));
        Api.advance(id).then().statusCode(200);
        Map<String, Object> before = Api.get(id).then().extract().jsonPath().getMap("$");
        int events = Api.history(id).size();

        outOfScope(Auth.as(token).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance"));
        for (String command : List.of("pause", "rollback", "abort")) {
            outOfScope(Auth.as(token).contentType(ContentType.JSON).body(Map.of("reason", "not mine"))
                    .post("/api/v1/rollouts/" + id + "/" + command));
        }
        Api.command(id, "pause", "held by an admin").then().statusCode(200);
        events++;
        before = Api.get(id).then().extract().jsonPath().getMap("$");
        outOfScope(Auth.as(token).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/resume"));
        outOfScope(Auth.as(token).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", unique("billing"), "version", "v1")).post("/api/v1/rollouts"));

        assertEquals(before, Api.get(id).then().extract().jsonPath().getMap("$"));
        assertEquals(events, Api.history(id).size());
    }

    private static void outOfScope(Response response) {
        response.then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("/problems/out-of-scope"));
    }

    @Test
    void aScopedTokenActsOnMatchingTargets() {
        String prefix = unique("pay");
        String token = scopedToken("operator", List.of("other-*", prefix + "-*"));
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Auth.as(token).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", prefix + "-api", "version", "v1")).post("/api/v1/rollouts")
                .then().statusCode(201).extract().path("id");
        Auth.as(token).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance").then()
                .statusCode(200).body("currentPercentage", equalTo(5.0f));
        Auth.as(token).contentType(ContentType.JSON).body(Map.of("reason", "checking"))
                .post("/api/v1/rollouts/" + id + "/pause").then().statusCode(200);
        Auth.as(token).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/resume").then().statusCode(200);
        Auth.as(token).get("/api/v1/rollouts/" + id).then().statusCode(200);
    }

    @Test
    void aScopedTokenOnlySeesRolloutsOfItsTargets() {
        String prefix = unique("pay");
        String token = scopedToken("viewer", List.of(prefix + "-*"));
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String mine = Api.startRollout(plan, prefix + "-web");
        String other = Api.startRollout(plan, unique("billing"));
        for (String path : List.of("", "/history", "/gates", "/deployment-state")) {
            Auth.as(token).get("/api/v1/rollouts/" + other + path).then().statusCode(404)
                    .contentType("application/problem+json");
            Auth.as(token).get("/api/v1/rollouts/" + mine + path).then().statusCode(200);
        }
        List<String> ids = Auth.as(token).get("/api/v1/rollouts?limit=1000").then().statusCode(200).extract()
                .jsonPath().getList("id");
        assertEquals(List.of(mine), ids);
    }

    @Test
    void aJwtScopeClaimLimitsItToItsTargets() throws Exception {
        String prefix = unique("pay");
        JwtClaims claims = Auth.claims("scoped-person");
        claims.setStringListClaim("roles", List.of("rollout:operator"));
        claims.setStringListClaim("rollout_targets", List.of(prefix + "-*"));
        String jwt = Auth.sign(claims, Auth.testIssuerKey());
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        outOfScope(Auth.as(jwt).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", unique("billing"), "version", "v1")).post("/api/v1/rollouts"));
        Auth.as(jwt).contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", prefix + "-api", "version", "v1")).post("/api/v1/rollouts")
                .then().statusCode(201);
    }

    @Test
    void invalidTargetScopesAreRefused() {
        for (Object targets : List.of(List.of(), List.of("has space"), List.of(""), "payments-*",
                List.of("x".repeat(101)))) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("name", unique("bad-scope"), "role", "viewer", "targets", targets))
                    .post("/api/v1/tokens").then().statusCode(400).contentType("application/problem+json");
        }
    }

    // ---- reasons ------------------------------------------------------------------------------------

    @Test
    void reasonsThatCouldForgeLinesOrReorderTextAreRefused() {
        String id = Api.startManualRollout("PT1H");
        for (String body : List.of("{\"reason\":\"ok\\u2028forged line\"}", "{\"reason\":\"ok\\u2029forged\"}",
                "{\"reason\":\"\\u202Edesrever\"}", "{\"reason\":\"a\\u2066isolate\\u2069\"}",
                "{\"reason\":\"lone \\ud800 surrogate\"}")) {
            given().contentType(ContentType.JSON).body(body).post("/api/v1/rollouts/" + id + "/pause").then()
                    .statusCode(400).contentType("application/problem+json");
        }
        Api.get(id).then().body("state", equalTo("PROGRESSING"));
        assertEquals(1, Api.history(id).size());
        // emoji sequences joined with ZWJ are still text
        Api.command(id, "pause", "family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 deploy").then().statusCode(200);
        assertFalse(Api.history(id).isEmpty());
    }
}
