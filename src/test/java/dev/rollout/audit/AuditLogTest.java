package dev.rollout.audit;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Credential changes go to an append-only audit log that only admins read. */
@QuarkusTest
class AuditLogTest {

    @Inject
    DataSource dataSource;

    private static List<Map<String, Object>> audit() {
        return given().get("/api/v1/audit?limit=1000").then().statusCode(200).contentType("application/json")
                .extract().jsonPath().getList("$");
    }

    private static Map<String, Object> entry(String action, String token) {
        return audit().stream().filter(e -> action.equals(e.get("action")))
                .filter(e -> token.equals(((Map<?, ?>) e.get("details")).get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " entry for " + token));
    }

    @Test
    void creatingAndRevokingATokenIsAuditedWithoutItsSecret() {
        String name = unique("audited");
        String secret = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "role", "deployer", "targets", List.of("payments-*"),
                        "reason", "pipeline for payments"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Map<String, Object> created = entry("token_created", name);
        assertEquals("bootstrap-admin", created.get("actor"));
        assertEquals("pipeline for payments", created.get("reason"));
        assertNotNull(created.get("at"));
        Map<?, ?> details = (Map<?, ?>) created.get("details");
        assertEquals("deployer", details.get("role"));
        assertEquals(List.of("payments-*"), details.get("targets"));

        given().contentType(ContentType.JSON).body(Map.of("reason", "pipeline retired"))
                .delete("/api/v1/tokens/" + name).then().statusCode(204);
        Map<String, Object> revoked = entry("token_revoked", name);
        assertEquals("bootstrap-admin", revoked.get("actor"));
        assertEquals("pipeline retired", revoked.get("reason"));

        String all = given().get("/api/v1/audit?limit=1000").asString();
        assertFalse(all.contains(secret) || all.contains(secret.substring(3, 20)), "the secret is in the audit log");
        assertFalse(all.contains(dev.rollout.security.Secrets.hash(secret)), "the hash is in the audit log");
    }

    @Test
    void theAuditLogIsAppendOnlyInTheDatabase() throws SQLException {
        Auth.newToken("viewer");
        Map<String, String> refusedBy = new LinkedHashMap<>();
        refusedBy.put("update audit_log set actor = 'nobody'", "audit_log is append-only: UPDATE is not allowed");
        refusedBy.put("delete from audit_log", "audit_log is append-only: DELETE is not allowed");
        refusedBy.put("truncate audit_log cascade", "audit_log is append-only: TRUNCATE is not allowed");
        for (Map.Entry<String, String> statement : refusedBy.entrySet()) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                SQLException refused = assertThrows(SQLException.class, () -> s.execute(statement.getKey()),
                        statement.getKey());
                assertTrue(refused.getMessage().contains(statement.getValue()),
                        statement.getKey() + ": " + refused.getMessage());
            }
        }
        assertFalse(audit().isEmpty());
    }

    @Test
    void onlyUnscopedAdminsReadTheAuditLog() {
        for (String role : List.of("viewer", "deployer", "operator")) {
            Auth.as(Auth.newToken(role)[1]).get("/api/v1/audit").then().statusCode(403)
                    .contentType("application/problem+json");
        }
        Auth.as(Auth.jwt("auditor", List.of("operator"))).get("/api/v1/audit").then().statusCode(403);
        Auth.anonymous().get("/api/v1/audit").then().statusCode(401);
        String scopedAdmin = given().contentType(ContentType.JSON)
                .body(Map.of("name", unique("scoped-admin"), "role", "admin", "targets", List.of("payments-*")))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Auth.as(scopedAdmin).get("/api/v1/audit").then().statusCode(403)
                .body("type", equalTo("/problems/out-of-scope"));
        Auth.as(Auth.newToken("admin")[1]).get("/api/v1/audit").then().statusCode(200);
    }

    @Test
    void theAuditLogIsPagedOldestFirstWithALinkToTheNextPage() {
        for (int i = 0; i < 3; i++) {
            Auth.newToken("viewer");
        }
        Response first = given().get("/api/v1/audit?limit=2");
        first.then().statusCode(200);
        List<Map<String, Object>> page = first.jsonPath().getList("$");
        assertEquals(2, page.size());
        String link = first.header("Link");
        assertNotNull(link, "a full page links to the next");
        Matcher next = Pattern.compile("<([^>]+)>; rel=\"next\"").matcher(link);
        assertTrue(next.find(), link);
        String url = next.group(1);
        assertTrue(url.startsWith("/api/v1/audit?"), url);
        List<Map<String, Object>> second = given().get(url).then().statusCode(200).extract().jsonPath().getList("$");
        assertFalse(second.isEmpty());
        long last = ((Number) page.get(1).get("seq")).longValue();
        assertTrue(((Number) second.get(0).get("seq")).longValue() > last, "pages follow one another");

        List<Map<String, Object>> all = audit();
        Response end = given().get("/api/v1/audit?limit=1000");
        assertNull(end.header("Link"), "the last page links nowhere");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(((Number) all.get(i).get("seq")).longValue() > ((Number) all.get(i - 1).get("seq")).longValue());
        }
        for (String bad : List.of("limit=0", "limit=1001", "limit=abc", "after=%%%", "after=not-a-cursor",
                "limit=5&limit=6")) {
            given().get("/api/v1/audit?" + bad).then().statusCode(400).contentType("application/problem+json");
        }
    }
}
