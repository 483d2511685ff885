package dev.rollout.security;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Every operation the API publishes (enumerated from /q/openapi, so a new endpoint cannot be forgotten)
 * refuses missing, malformed, unknown, revoked and expired credentials with 401, and every role below
 * the one it needs with 403, both as problem+json and without changing anything.
 */
@QuarkusTest
class AuthorizationTest {

    /** The contract: the least role each operation needs. */
    static final Map<String, Role> REQUIRED = new TreeMap<>(Map.ofEntries(
            Map.entry("POST /api/v1/alertmanager/webhook", Role.VIEWER),
            Map.entry("GET /api/v1/plans", Role.VIEWER),
            Map.entry("POST /api/v1/plans", Role.OPERATOR),
            Map.entry("POST /api/v1/plans/preview", Role.VIEWER),
            Map.entry("GET /api/v1/plans/{name}", Role.VIEWER),
            Map.entry("GET /api/v1/plans/{name}/versions", Role.VIEWER),
            Map.entry("GET /api/v1/rollouts", Role.VIEWER),
            Map.entry("POST /api/v1/rollouts", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/pause", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/resume", Role.OPERATOR),
            Map.entry("GET /api/v1/rollouts/{id}", Role.VIEWER),
            Map.entry("POST /api/v1/rollouts/{id}/advance", Role.DEPLOYER),
            Map.entry("GET /api/v1/rollouts/{id}/events", Role.VIEWER),
            Map.entry("GET /api/v1/events", Role.VIEWER),
            Map.entry("POST /api/v1/rollouts/{id}/pause", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/{id}/resume", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/{id}/rollback", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/{id}/abort", Role.OPERATOR),
            Map.entry("POST /api/v1/rollouts/{id}/approve", Role.OPERATOR),
            Map.entry("GET /api/v1/rollouts/{id}/history", Role.VIEWER),
            Map.entry("GET /api/v1/rollouts/{id}/gates", Role.VIEWER),
            Map.entry("GET /api/v1/rollouts/{id}/deployment-state", Role.VIEWER),
            Map.entry("GET /api/v1/tokens", Role.ADMIN),
            Map.entry("POST /api/v1/tokens", Role.ADMIN),
            Map.entry("DELETE /api/v1/tokens/{name}", Role.ADMIN),
            Map.entry("GET /api/v1/audit", Role.ADMIN),
            Map.entry("GET /api/v1/freezes", Role.VIEWER),
            Map.entry("POST /api/v1/freezes", Role.OPERATOR),
            Map.entry("DELETE /api/v1/freezes/{name}", Role.OPERATOR),
            Map.entry("GET /api/v1/whoami", Role.VIEWER)));

    /** The brief's roles, each with every role below it (written out, not derived from the product's code). */
    static final Map<Role, List<Role>> BELOW = Map.of(
            Role.VIEWER, List.of(),
            Role.DEPLOYER, List.of(Role.VIEWER),
            Role.OPERATOR, List.of(Role.VIEWER, Role.DEPLOYER),
            Role.ADMIN, List.of(Role.VIEWER, Role.DEPLOYER, Role.OPERATOR));

    @Inject
    DataSource dataSource;

    private final Map<Role, String> tokens = new LinkedHashMap<>();
    private String planName;
    private String rolloutId;

    @BeforeEach
    void fixtures() {
        for (Role role : Role.values()) {
            tokens.put(role, Auth.newToken(role.wireName())[1]);
        }
        planName = Api.createPlan(Api.plan(unique("auth-plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        rolloutId = Api.startRollout(planName, unique("auth-target"));
    }

    static List<String> publishedOperations() {
        JsonPath openapi = given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().jsonPath();
        List<String> operations = new ArrayList<>();
        Map<String, Map<String, Object>> paths = openapi.getMap("paths");
        paths.forEach((path, methods) -> {
            if (path.startsWith("/api/")) {
                methods.keySet().stream().filter(m -> List.of("get", "post", "put", "patch", "delete").contains(m))
                        .forEach(m -> operations.add(m.toUpperCase() + " " + path));
            }
        });
        return operations;
    }

    @Test
    void everyPublishedOperationHasAnAgreedRole() {
        assertEquals(new TreeSet<>(REQUIRED.keySet()), new TreeSet<>(publishedOperations()),
                "each API operation needs an entry in REQUIRED (and @RequiresRole on its method)");
    }

    @Test
    void everyOperationRefusesMissingAndBadCredentials() throws Exception {
        String revoked = Auth.newToken("admin")[0];
        String revokedSecret = Auth.createToken(revoked + "-r", "admin");
        given().delete("/api/v1/tokens/" + revoked + "-r").then().statusCode(204);
        String expired = Auth.createToken(unique("expired"), "admin");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "update api_token set expires_at = statement_timestamp() - interval '1 second' where token_hash = ?")) {
            s.setString(1, Secrets.hash(expired));
            assertEquals(1, s.executeUpdate());
        }
        Map<String, Object> before = snapshot();
        for (String operation : REQUIRED.keySet()) {
            expectUnauthorized(operation, Auth.anonymous(), false);
            expectUnauthorized(operation, given().header("Authorization", "Basic YWRtaW46YWRtaW4="), false);
            expectUnauthorized(operation, given().header("Authorization", "Bearer"), false);
            expectUnauthorized(operation, Auth.as("rt_" + "A".repeat(43)), true);
            expectUnauthorized(operation, Auth.as(revokedSecret), true);
            expectUnauthorized(operation, Auth.as(expired), true);
        }
        assertEquals(before, snapshot(), "refused calls changed nothing");
    }

    @Test
    void everyOperationRefusesRolesBelowTheOneItNeeds() {
        Map<String, Object> before = snapshot();
        String noRole = Auth.jwt("sso-user-without-role", List.of("auditor"));
        for (Map.Entry<String, Role> operation : REQUIRED.entrySet()) {
            expectForbidden(operation.getKey(), Auth.as(noRole), operation.getValue());
            for (Role role : BELOW.get(operation.getValue())) {
                expectForbidden(operation.getKey(), Auth.as(tokens.get(role)), operation.getValue());
            }
        }
        assertEquals(before, snapshot(), "refused calls changed nothing");
    }

    @Test
    void everyOperationAdmitsTheRoleItNeeds() {
        for (Map.Entry<String, Role> operation : REQUIRED.entrySet()) {
            for (Role role : Role.values()) {
                if (!BELOW.get(operation.getValue()).contains(role)) {
                    int status = call(operation.getKey(), Auth.as(tokens.get(role))).statusCode();
                    assertTrue(status != 401 && status != 403 && status < 500,
                            operation.getKey() + " as " + role + " answered " + status);
                }
            }
        }
    }

    @Test
    void unknownApiPathsNeedCredentialsTooAndHealthStaysOpen() {
        Auth.anonymous().get("/api/v1/nothing-here").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        given().get("/api/v1/nothing-here").then().statusCode(404);
        Auth.anonymous().get("/q/health").then().statusCode(200);
    }

    private void expectUnauthorized(String operation, RequestSpecification request, boolean invalidToken) {
        Response response = call(operation, request);
        response.then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated")).body("status", equalTo(401))
                .header("WWW-Authenticate", startsWith("Bearer realm="));
        assertEquals(invalidToken, response.header("WWW-Authenticate").contains("invalid_token"), operation);
    }

    private void expectForbidden(String operation, RequestSpecification request, Role required) {
        call(operation, request).then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("/problems/forbidden")).body("requiredRole", equalTo(required.wireName()));
    }

    /** Calls the operation with bodies that would be accepted, so only the credentials can refuse it. */
    private Response call(String operation, RequestSpecification request) {
        String[] parts = operation.split(" ", 2);
        String path = parts[1].replace("{id}", rolloutId).replace("{name}",
                parts[1].startsWith("/api/v1/tokens") ? unique("victim") : planName);
        Object body = switch (parts[1]) {
            case "/api/v1/plans", "/api/v1/plans/preview" ->
                    Api.plan(unique("auth-plan"), "MANUAL", "PAUSE", Api.seedSteps("PT1H"));
            case "/api/v1/rollouts/pause", "/api/v1/rollouts/resume" ->
                    Map.of("target", "auth-matches-nothing-*", "reason", "authorization test");
            case "/api/v1/rollouts" -> Map.of("plan", planName, "target", unique("auth-target"), "version", "v1");
            case "/api/v1/tokens" -> Map.of("name", unique("auth-token"), "role", "viewer");
            // far ahead and on a target no test uses: it holds nothing
            case "/api/v1/freezes" -> Map.of("name", unique("auth-freeze"), "from",
                    java.time.Instant.now().plus(java.time.Duration.ofDays(300)).toString(), "until",
                    java.time.Instant.now().plus(java.time.Duration.ofDays(301)).toString(), "targets",
                    List.of(unique("auth-frozen")), "reason", "authorization test");
            default -> parts[1].endsWith("/advance") ? Map.of() : Map.of("reason", "authorization test");
        };
        RequestSpecification spec = request.contentType(ContentType.JSON);
        if (parts[1].endsWith("/events")) {
            // An admitted stream never ends: a Last-Event-ID that is not a seq is refused (400) only after the
            // credential and the role were checked.
            spec = spec.header("Last-Event-ID", "not-a-seq");
        }
        if (!parts[0].equals("GET") && !parts[0].equals("DELETE")) {
            spec = spec.body(body);
        }
        return spec.request(parts[0], path);
    }

    /**
     * Plans, the fixture rollout and its history, the token list and the audit log: what a refused call must
     * not change.
     */
    private Map<String, Object> snapshot() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("plans", Api.all("/api/v1/plans"));
        state.put("rollout", given().get("/api/v1/rollouts/" + rolloutId).then().statusCode(200).extract().asString());
        state.put("history", Api.history(rolloutId));
        state.put("rollouts", given().get("/api/v1/rollouts?limit=1000").then().statusCode(200).extract()
                .jsonPath().getList("id").size());
        state.put("tokens", Api.all("/api/v1/tokens"));
        state.put("audit", given().get("/api/v1/audit?limit=1000").then().statusCode(200).extract().asString());
        state.put("freezes", Api.all("/api/v1/freezes"));
        return state;
    }
}
