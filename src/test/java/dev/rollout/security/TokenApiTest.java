package dev.rollout.security;

import static dev.rollout.support.Api.unique;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Token lifecycle: created with a secret shown once, listed without it, used, revoked; events name the token. */
@QuarkusTest
class TokenApiTest {

    @Test
    void aCreatedTokenIsShownOnceAndWorksForItsRole() {
        String name = unique("deploy-bot");
        String expires = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String secret = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "role", "deployer", "expiresAt", expires)).post("/api/v1/tokens")
                .then().statusCode(201).header("Location", containsString("/api/v1/tokens/" + name))
                .header("Cache-Control", "no-store")
                .body("name", equalTo(name)).body("role", equalTo("deployer"))
                .body("expiresAt", equalTo(expires)).extract().path("token");
        assertTrue(secret.startsWith("rt_") && secret.length() >= 46, "rt_ + 256 bits");

        List<Map<String, Object>> tokens = Api.all("/api/v1/tokens");
        Map<String, Object> listed = tokens.stream().filter(t -> name.equals(t.get("name"))).findFirst().orElseThrow();
        assertTrue(tokens.stream().anyMatch(t -> "bootstrap-admin".equals(t.get("name"))));
        assertEquals(true, listed.get("active"));
        assertEquals("bootstrap-admin", listed.get("createdBy"));
        assertTrue(!listed.containsKey("token"));
        String list = tokens.toString();
        assertTrue(!list.contains(secret) && !list.contains(Secrets.hash(secret)), "no secret, no hash");

        Auth.as(secret).get("/api/v1/plans").then().statusCode(200);
        String id = Api.startManualRollout("PT0S");
        Auth.as(secret).contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance").then()
                .statusCode(200);
        Auth.as(secret).contentType(ContentType.JSON).body(Map.of("reason", "x"))
                .post("/api/v1/rollouts/" + id + "/pause").then().statusCode(403);
        Map<String, Object> step = Api.history(id).stream().filter(e -> e.get("action").equals("step")).findFirst()
                .orElseThrow();
        assertEquals(name, step.get("actor"));
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnceAndItsNameStaysTaken() {
        String name = unique("ci");
        String secret = Auth.createToken(name, "viewer");
        Auth.as(secret).get("/api/v1/rollouts").then().statusCode(200);
        given().delete("/api/v1/tokens/" + name).then().statusCode(204);
        Auth.as(secret).get("/api/v1/rollouts").then().statusCode(401);
        given().delete("/api/v1/tokens/" + name).then().statusCode(204);
        Map<String, Object> revoked = Api.find("/api/v1/tokens", "name", name);
        assertEquals(false, revoked.get("active"));
        assertEquals("bootstrap-admin", revoked.get("revokedBy"));
        assertNotNull(revoked.get("revokedAt"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "role", "viewer")).post("/api/v1/tokens")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/token-name-exists"));
    }

    @Test
    void aNewTokenWorksAtOnceEvenRightAfterUnknownTokensWereRefused() {
        // Unknown generated tokens are remembered as unknown; that must never refuse one minted afterwards.
        for (int i = 0; i < 5; i++) {
            Auth.as(Secrets.newToken()).get("/api/v1/rollouts").then().statusCode(401);
        }
        for (int i = 0; i < 5; i++) {
            String secret = Auth.createToken(unique("fresh"), "viewer");
            Auth.as(secret).get("/api/v1/rollouts").then().statusCode(200);
        }
    }

    @Test
    void aTokenUsedManyTimesIsRefusedOnTheVeryNextRequestAfterItsRevocation() {
        String name = unique("busy");
        String secret = Auth.createToken(name, "viewer");
        for (int i = 0; i < 20; i++) {
            Auth.as(secret).get("/api/v1/rollouts").then().statusCode(200);
        }
        given().delete("/api/v1/tokens/" + name).then().statusCode(204);
        Auth.as(secret).get("/api/v1/rollouts").then().statusCode(401);
    }

    @Test
    void anExpiredTokenIsRefusedEvenWhileItsVerificationIsCached() {
        // Expiry is judged against the stored expiry on every request, not when the cache entry ages out.
        Instant expires = Instant.now().plusSeconds(3);
        String secret = given().contentType(ContentType.JSON)
                .body(Map.of("name", unique("short"), "role", "viewer", "expiresAt", expires.toString()))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Auth.as(secret).get("/api/v1/rollouts").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> Auth.as(secret).get("/api/v1/rollouts").statusCode() == 401);
        Auth.as(secret).get("/api/v1/rollouts").then().statusCode(401)
                .header("WWW-Authenticate", containsString("invalid_token"));
    }

    @Test
    void unknownTokensAre404() {
        given().delete("/api/v1/tokens/" + unique("nobody")).then().statusCode(404)
                .contentType("application/problem+json");
        given().delete("/api/v1/tokens/has%20space").then().statusCode(404);
    }

    @Test
    void invalidRequestsAreNamed() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("role", "viewer"),
                Map.of("name", "has space", "role", "viewer"),
                Map.of("name", "x".repeat(65), "role", "viewer"),
                Map.of("name", "-leading-dash", "role", "viewer"),
                Map.of("name", "bootstrap-admin", "role", "viewer"),
                Map.of("name", unique("t"), "role", "root"),
                Map.of("name", unique("t")),
                Map.of("name", unique("t"), "role", "viewer", "expiresAt", "2001-01-01T00:00:00Z"),
                Map.of("name", unique("t"), "role", "viewer", "expiresAt", "tomorrow"),
                Map.of("name", unique("t"), "role", "viewer", "expiresAt", "9999-01-01T00:00:00Z"))) {
            given().contentType(ContentType.JSON).body(body).post("/api/v1/tokens").then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("/problems/invalid-request"))
                    .body("detail", not(equalTo("")));
        }
        given().contentType(ContentType.JSON).body("{\"name\":\"a\",\"role\":\"viewer\",\"secret\":\"mine\"}")
                .post("/api/v1/tokens").then().statusCode(400).body("type", equalTo("/problems/unknown-field"))
                .body("detail", containsString("secret"));
    }

    @Test
    void onlyAdminsManageTokens() {
        String operator = Auth.newToken("operator")[1];
        Auth.as(operator).get("/api/v1/tokens").then().statusCode(403);
        Auth.as(operator).contentType(ContentType.JSON).body(Map.of("name", unique("x"), "role", "admin"))
                .post("/api/v1/tokens").then().statusCode(403);
        Auth.as(operator).delete("/api/v1/tokens/bootstrap-admin").then().statusCode(403);
    }
}
