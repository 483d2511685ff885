package dev.rollout.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Runs a full scenario with known secrets (the bootstrap admin token, created tokens, a JWT, the Grafana
 * token, the Prometheus password and the step webhook secrets from configuration, and wrong guesses at
 * tokens) and fails if any
 * of them, or an 8-character piece of one, appears in anything the service writes or answers: all its
 * log output (application and access log), every response body and header, history, metrics and the
 * OpenAPI document.
 */
@QuarkusTest
class NoLeakTest {

    static final Path APP_LOG = Path.of("target", "test-app.log");
    static final Path ACCESS_LOG = Path.of("target", "test-access.log");

    private final List<String> seen = new ArrayList<>();

    private Response record(Response response) {
        seen.add(response.getStatusLine() + "\n" + response.getHeaders() + "\n" + response.asString());
        return response;
    }

    private Response call(RequestSpecification request, String method, String path, Object body) {
        RequestSpecification spec = request.contentType(ContentType.JSON);
        return record((body == null ? spec : spec.body(body)).request(method, path));
    }

    @Test
    void noSecretAppearsAnywhere() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("bootstrap admin token", Auth.bootstrapToken());
        secrets.put("Grafana token", config("rollout.grafana.token"));
        secrets.put("Prometheus password", config("rollout.prometheus.basic-auth.password"));
        for (String endpoint : WebhookReceiver.ENDPOINTS) {
            secrets.put("webhook secret of " + endpoint, config("rollout.webhook.endpoints." + endpoint + ".secret"));
        }

        String deployerName = Api.unique("leak-deployer");
        Response created = call(given(), "POST", "/api/v1/tokens", Map.of("name", deployerName, "role", "deployer"));
        String deployer = created.then().statusCode(201).extract().path("token");
        seen.remove(seen.size() - 1); // the one answer that must show a secret: its creation
        secrets.put("deployer token", deployer);
        String operator = Auth.createToken(Api.unique("leak-operator"), "operator");
        String admin = Auth.createToken(Api.unique("leak-admin"), "admin");
        secrets.put("operator token", operator);
        secrets.put("admin token", admin);
        String jwt = Auth.jwt("leak-sso-user", List.of("operator"));
        secrets.put("JWT", jwt);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var foreign = Auth.claims("intruder");
        foreign.setStringListClaim("roles", List.of("admin"));
        String forgedJwt = Auth.sign(foreign, generator.generateKeyPair().getPrivate());
        secrets.put("forged JWT", forgedJwt);
        String wrongGuess = deployer.substring(0, deployer.length() - 4) + "AAAA";
        secrets.put("wrong guess at a token", wrongGuess);
        secrets.put("random wrong token", Secrets.newToken());

        // a rollout driven by every kind of credential, with refusals along the way
        String plan = Api.unique("leak-plan");
        Map<String, Object> planBody = new java.util.HashMap<>(Api.plan(plan, "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        planBody.put("webhook", Map.of("endpoint", "endpoint-a"));   // its calls are signed with that secret
        call(Auth.as(operator), "POST", "/api/v1/plans", planBody).then().statusCode(201);
        String id = call(Auth.as(jwt), "POST", "/api/v1/rollouts",
                Map.of("plan", plan, "target", Api.unique("leak-target"), "version", "v9.9.9"))
                .then().statusCode(201).extract().path("id");
        String rollout = "/api/v1/rollouts/" + id;
        call(Auth.as(deployer), "POST", rollout + "/advance", null).then().statusCode(200);
        call(Auth.as(deployer), "POST", rollout + "/advance", null).then().statusCode(409);
        call(Auth.as(deployer), "POST", rollout + "/advance", Map.of("override", true, "reason", "hurry"))
                .then().statusCode(403);
        call(Auth.as(admin), "POST", rollout + "/advance", Map.of("override", true, "reason", "leak test override"))
                .then().statusCode(200);
        call(Auth.as(deployer), "POST", rollout + "/pause", Map.of("reason", "not mine")).then().statusCode(403);
        call(Auth.as(operator), "POST", rollout + "/pause", Map.of("reason", "look")).then().statusCode(200);
        call(Auth.as(jwt), "POST", rollout + "/resume", Map.of()).then().statusCode(200);
        call(Auth.as(wrongGuess), "POST", rollout + "/rollback", Map.of("reason", "x")).then().statusCode(401);
        call(Auth.as(forgedJwt), "POST", rollout + "/rollback", Map.of("reason", "x")).then().statusCode(401);
        call(Auth.as(secrets.get("random wrong token")), "GET", "/api/v1/plans", null).then().statusCode(401);
        call(given().header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("admin:" + deployer).getBytes())), "GET", "/api/v1/plans", null).then().statusCode(401);
        call(given().header("Authorization", "Bearer " + deployer + " " + admin), "GET", "/api/v1/plans", null)
                .then().statusCode(401);
        call(Auth.as(operator), "POST", rollout + "/rollback", Map.of("reason", "leak test")).then().statusCode(200);
        call(given(), "DELETE", "/api/v1/tokens/" + deployerName, null).then().statusCode(204);
        call(Auth.as(deployer), "GET", rollout, null).then().statusCode(401);
        call(given(), "POST", "/api/v1/tokens", "{\"name\":\"x\",\"role\":\"viewer\",\"oops\":1}").then().statusCode(400);
        call(given(), "GET", "/api/v1/tokens", null).then().statusCode(200);
        call(given(), "GET", "/api/v1/audit?limit=1000", null).then().statusCode(200);
        call(given(), "GET", rollout + "/history", null).then().statusCode(200);
        call(given(), "GET", rollout + "/deployment-state", null).then().statusCode(200);
        record(Metrics.scrape()).then().statusCode(200);
        record(given().accept("application/json").get("/q/openapi")).then().statusCode(200);
        record(given().get("/q/openapi")).then().statusCode(200);
        record(given().get("/q/health")).then().statusCode(200);

        // everything the service logged, including the access log once it has caught up
        String marker = Api.unique("leak-marker");
        given().get("/api/v1/plans/" + marker).then().statusCode(404);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(ACCESS_LOG)
                && Files.readString(ACCESS_LOG).contains(marker));
        String appLog = Files.readString(APP_LOG);
        assertTrue(appLog.contains("bootstrap admin token 'bootstrap-admin'"), "the log covers start-up");
        assertTrue(appLog.contains("API token '" + deployerName + "' revoked"), "the log covers this scenario");
        assertTrue(appLog.contains("JWT refused"), "the log covers refused JWTs at debug level");

        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("application log", appLog);
        outputs.put("access log", Files.readString(ACCESS_LOG));
        outputs.put("responses", String.join("\n", seen));
        java.util.Set<String> leaks = new java.util.TreeSet<>();
        secrets.forEach((what, secret) -> {
            for (String piece : pieces(secret)) {
                outputs.forEach((where, text) -> {
                    if (text.contains(piece)) {
                        leaks.add(what + " in " + where);
                    }
                });
            }
        });
        assertTrue(leaks.isEmpty(), "secrets leaked: " + leaks);
    }

    /** The whole secret, its first 8 characters, and 8-character pieces of its random part. */
    static List<String> pieces(String secret) {
        List<String> pieces = new ArrayList<>(List.of(secret, secret.substring(0, 8)));
        for (int i = 3; i + 8 <= secret.length(); i += 8) {
            pieces.add(secret.substring(i, i + 8));
        }
        if (secret.startsWith("eyJ")) {
            // a JWT's header and claims are not secret on their own; its signature is what makes it a credential
            pieces.removeIf(p -> !secret.substring(secret.lastIndexOf('.')).contains(p) && !p.equals(secret));
        }
        return pieces;
    }

    private static String config(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }
}
