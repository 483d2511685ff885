package dev.rollout;

import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.Auth;
import dev.rollout.support.SseClient;
import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * /q/openapi describes the running API: every operation's documented answers are checked against what the
 * service answers live, and the shared parts (security, problem+json, Retry-After) against the contract.
 */
@QuarkusTest
class OpenApiTest {

    private static final String ID = "/api/v1/rollouts/{id}";
    private JsonNode doc;

    @BeforeEach
    void fetch() throws Exception {
        doc = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract()
                .asString());
    }

    @Test
    void describesEveryEndpoint() {
        ValidatableResponse openapi = given().accept("application/json").get("/q/openapi").then().statusCode(200);
        for (String path : new String[] { "/api/v1/plans", "/api/v1/plans/{name}", "/api/v1/plans/{name}/versions",
                "/api/v1/rollouts", "/api/v1/rollouts/{id}", "/api/v1/rollouts/{id}/advance",
                "/api/v1/rollouts/{id}/pause", "/api/v1/rollouts/{id}/resume", "/api/v1/rollouts/{id}/rollback",
                "/api/v1/rollouts/{id}/abort", "/api/v1/rollouts/{id}/history", "/api/v1/rollouts/{id}/gates",
                "/api/v1/rollouts/{id}/deployment-state", "/api/v1/tokens", "/api/v1/tokens/{name}", "/api/v1/audit",
                "/api/v1/plans/preview", "/api/v1/rollouts/pause", "/api/v1/rollouts/resume",
                "/api/v1/alertmanager/webhook", "/api/v1/rollouts/{id}/approve", "/api/v1/events",
                "/api/v1/rollouts/{id}/events", "/api/v1/freezes", "/api/v1/freezes/{name}", "/api/v1/whoami" }) {
            openapi.body("paths", hasKey(path));
        }
    }

    @Test
    void plansAnswerWhatTheDocumentSays() {
        String name = unique("doc-plan");
        Map<String, Object> body = plan(name, "MANUAL", "PAUSE", seedSteps("PT1H"));
        Response created = post("/api/v1/plans", body);
        live("post", "/api/v1/plans", created, 201);
        assertTrue(hasLocation(response("post", "/api/v1/plans", 201)));
        assertNotNull(created.header("Location"));
        Response again = post("/api/v1/plans", body);
        live("post", "/api/v1/plans", again, 200);
        assertTrue(hasLocation(response("post", "/api/v1/plans", 200)));
        live("post", "/api/v1/plans", post("/api/v1/plans", Map.of("name", name)), 400);
        Map<String, Object> other = new java.util.HashMap<>(plan(name, "AUTOMATIC", "PAUSE", seedSteps("PT1H")));
        other.put("version", 1);
        live("post", "/api/v1/plans", post("/api/v1/plans", other), 409);
        live("post", "/api/v1/plans", given().contentType(ContentType.TEXT).body("x").post("/api/v1/plans"), 415);
        live("get", "/api/v1/plans", given().get("/api/v1/plans"), 200);
        live("get", "/api/v1/plans/{name}", given().get("/api/v1/plans/" + name), 200);
        live("get", "/api/v1/plans/{name}", given().get("/api/v1/plans/" + unique("none")), 404);
        live("get", "/api/v1/plans/{name}/versions", given().get("/api/v1/plans/" + name + "/versions"), 200);
        live("get", "/api/v1/plans/{name}/versions", given().get("/api/v1/plans/" + unique("none") + "/versions"), 404);
    }

    @Test
    void rolloutsAnswerWhatTheDocumentSays() {
        String plan = unique("doc-rollout-plan");
        post("/api/v1/plans", plan(plan, "MANUAL", "PAUSE", seedSteps("PT1H"))).then().statusCode(201);
        String target = unique("doc-target");
        Map<String, Object> start = Map.of("plan", plan, "target", target, "version", "v1");
        Response started = post("/api/v1/rollouts", start);
        live("post", "/api/v1/rollouts", started, 201);
        assertTrue(hasLocation(response("post", "/api/v1/rollouts", 201)));
        assertNotNull(started.header("Location"));
        String id = started.path("id");
        live("post", "/api/v1/rollouts", post("/api/v1/rollouts", start), 409);
        live("post", "/api/v1/rollouts", post("/api/v1/rollouts", Map.of("plan", unique("none"), "target", unique("t"),
                "version", "v1")), 404);
        live("post", "/api/v1/rollouts", post("/api/v1/rollouts", Map.of("plan", plan)), 400);
        String key = unique("key");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(Map.of("plan", plan, "target",
                unique("doc-target"), "version", "v1")).post("/api/v1/rollouts").then().statusCode(201);
        live("post", "/api/v1/rollouts", given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("plan", plan, "target", unique("doc-target"), "version", "v2")).post("/api/v1/rollouts"), 422);
        live("get", "/api/v1/rollouts", given().get("/api/v1/rollouts"), 200);
        live("get", "/api/v1/rollouts", given().get("/api/v1/rollouts?state=SOMETIMES"), 400);
        live("get", ID, given().get("/api/v1/rollouts/" + id), 200);
        live("get", ID, given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000"), 404);

        live("post", ID + "/advance", given().post("/api/v1/rollouts/" + id + "/advance"), 200);
        Response tooEarly = given().post("/api/v1/rollouts/" + id + "/advance");
        live("post", ID + "/advance", tooEarly, 409);
        assertNotNull(tooEarly.header("Retry-After"));
        assertTrue(response("post", ID + "/advance", 409).path("headers").has("Retry-After"));
        live("post", ID + "/advance", given().post("/api/v1/rollouts/00000000-0000-0000-0000-000000000000/advance"), 404);
        live("post", ID + "/advance", given().contentType(ContentType.TEXT).body("x")
                .post("/api/v1/rollouts/" + id + "/advance"), 415);

        live("post", ID + "/pause", post("/api/v1/rollouts/" + id + "/pause", Map.of()), 400);
        live("post", ID + "/pause", post("/api/v1/rollouts/" + id + "/pause", Map.of("reason", "hold")), 200);
        live("post", ID + "/pause", post("/api/v1/rollouts/" + id + "/pause", Map.of("reason", "hold")), 409);
        // resume needs no body at all, and the document says so
        assertFalse(operation("post", ID + "/resume").path("requestBody").path("required").asBoolean(false));
        live("post", ID + "/resume", given().post("/api/v1/rollouts/" + id + "/resume"), 200);
        live("post", ID + "/resume", given().post("/api/v1/rollouts/" + id + "/resume"), 409);
        assertTrue(operation("post", ID + "/pause").path("requestBody").path("required").asBoolean());
        live("post", ID + "/rollback", post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "bad")), 200);
        live("post", ID + "/rollback", post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "bad")), 409);
        live("post", ID + "/abort", post("/api/v1/rollouts/" + id + "/abort", Map.of("reason", "stop")), 409);
        live("post", ID + "/abort", post("/api/v1/rollouts/00000000-0000-0000-0000-000000000000/abort",
                Map.of("reason", "stop")), 404);
        for (String read : List.of("/history", "/gates", "/deployment-state")) {
            live("get", ID + read, given().get("/api/v1/rollouts/" + id + read), 200);
            live("get", ID + read, given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000" + read), 404);
        }
        String other = post("/api/v1/rollouts", Map.of("plan", plan, "target", unique("doc-target"), "version", "v1"))
                .path("id");
        live("post", ID + "/abort", post("/api/v1/rollouts/" + other + "/abort", Map.of("reason", "stop")), 200);
    }

    @Test
    void approvalsAnswerWhatTheDocumentSays() {
        String plan = unique("doc-approval");
        Map<String, Object> body = new java.util.HashMap<>(plan(plan, "MANUAL", "PAUSE", List.of(
                Map.of("percentage", 50, "minDwell", "PT0S", "approval", true),
                Map.of("percentage", 100, "minDwell", "PT0S"))));
        body.put("approvalBy", "another-operator");
        post("/api/v1/plans", body).then().statusCode(201);
        String id = post("/api/v1/rollouts", Map.of("plan", plan, "target", unique("doc-target"), "version", "v1"))
                .path("id");
        String path = "/api/v1/rollouts/" + id + "/approve";
        live("post", ID + "/advance", given().post("/api/v1/rollouts/" + id + "/advance"), 409);
        live("post", ID + "/approve", post(path, Map.of()), 400);
        live("post", ID + "/approve", post(path, Map.of("reason", "mine")), 403);
        String operator = Auth.createToken(unique("doc-operator"), "operator");
        String key = unique("key");
        live("post", ID + "/approve", Auth.as(operator).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("reason", "reviewed")).post(path), 200);
        live("post", ID + "/approve", Auth.as(operator).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("reason", "other")).post(path), 422);
        given().post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200);
        live("post", ID + "/approve", Auth.as(operator).contentType(ContentType.JSON).body(Map.of("reason", "x"))
                .post(path), 409);
        live("post", ID + "/approve", post("/api/v1/rollouts/00000000-0000-0000-0000-000000000000/approve",
                Map.of("reason", "x")), 404);
        live("post", ID + "/approve", given().contentType(ContentType.TEXT).body("x").post(path), 415);
        assertTrue(operation("post", ID + "/approve").path("requestBody").path("required").asBoolean());
    }

    @Test
    void previewAndFleetOperationsAnswerWhatTheDocumentSays() {
        String plan = unique("doc-fleet");
        Map<String, Object> body = plan(plan, "MANUAL", "PAUSE", seedSteps("PT1H"));
        live("post", "/api/v1/plans/preview", post("/api/v1/plans/preview", body), 200);
        live("post", "/api/v1/plans/preview", post("/api/v1/plans/preview", Map.of("name", plan, "colour", "x")), 400);
        live("post", "/api/v1/plans/preview", given().contentType(ContentType.TEXT).body("x")
                .post("/api/v1/plans/preview"), 415);
        post("/api/v1/plans", body).then().statusCode(201);
        String target = unique("doc-fleet");
        post("/api/v1/rollouts", Map.of("plan", plan, "target", target, "version", "v1")).then().statusCode(201);
        live("get", "/api/v1/rollouts", given().get("/api/v1/rollouts?target=" + target + "*&plan=" + plan), 200);
        live("get", "/api/v1/rollouts", given().get("/api/v1/rollouts?target=a%25b"), 400);
        for (String command : List.of("pause", "resume")) {
            String path = "/api/v1/rollouts/" + command;
            live("post", path, post(path, Map.of("target", target, "reason", "doc")), 200);
            live("post", path, post(path, Map.of("target", target)), 400);
            live("post", path, given().contentType(ContentType.TEXT).body("x").post(path), 415);
        }
    }

    @Test
    void theAlertmanagerWebhookAnswersWhatTheDocumentSays() {
        String path = "/api/v1/alertmanager/webhook";
        live("post", path, post(path, Map.of("version", "4", "status", "firing", "alerts", List.of(Map.of(
                "status", "firing", "labels", Map.of("alertname", unique("doc-alert")))))), 202);
        live("post", path, post(path, Map.of("version", "3", "alerts", List.of())), 400);
        live("post", path, given().contentType(ContentType.TEXT).body("x").post(path), 415);
    }

    @Test
    void eventStreamsAnswerWhatTheDocumentSays() throws Exception {
        String plan = post("/api/v1/plans", plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))).then()
                .statusCode(201).extract().path("name");
        String id = dev.rollout.support.Api.startRollout(plan, unique("target"));
        for (String path : List.of("/api/v1/events", "/api/v1/rollouts/" + id + "/events")) {
            try (SseClient stream = SseClient.open(RestAssured.baseURI + ":" + RestAssured.port + path,
                    Map.of("Authorization", "Bearer " + Auth.bootstrapToken()))) {
                String documented = path.equals("/api/v1/events") ? "/api/v1/events" : ID + "/events";
                assertEquals(200, stream.status());
                assertTrue(response("get", documented, 200).path("content")
                        .has(stream.header("Content-Type").split(";")[0].trim()), stream.header("Content-Type"));
            }
        }
        live("get", ID + "/events", given().get("/api/v1/rollouts/" + java.util.UUID.randomUUID() + "/events"), 404);
        live("get", ID + "/events", given().header("Last-Event-ID", "x").get("/api/v1/rollouts/" + id + "/events"),
                400);
        live("get", "/api/v1/events", given().header("Last-Event-ID", "x").get("/api/v1/events"), 400);
        assertTrue(response("get", "/api/v1/events", 429).path("headers").has("Retry-After"));
    }

    @Test
    void tokensAnswerWhatTheDocumentSays() {
        String name = unique("doc-token");
        Response created = post("/api/v1/tokens", Map.of("name", name, "role", "viewer"));
        live("post", "/api/v1/tokens", created, 201);
        assertTrue(hasLocation(response("post", "/api/v1/tokens", 201)));
        live("post", "/api/v1/tokens", post("/api/v1/tokens", Map.of("name", name, "role", "viewer")), 409);
        live("post", "/api/v1/tokens", post("/api/v1/tokens", Map.of("name", name)), 400);
        live("get", "/api/v1/tokens", given().get("/api/v1/tokens"), 200);

        // a viewer may read but not write: 403, documented
        String viewer = created.path("token");
        live("post", "/api/v1/plans", Auth.as(viewer).contentType(ContentType.JSON)
                .body(plan(unique("p"), "MANUAL", "PAUSE", seedSteps("PT1H"))).post("/api/v1/plans"), 403);
        live("get", "/api/v1/tokens", Auth.as(viewer).get("/api/v1/tokens"), 403);

        live("delete", "/api/v1/tokens/{name}", given().delete("/api/v1/tokens/" + name), 204);
        assertTrue(response("delete", "/api/v1/tokens/{name}", 204).path("content").isMissingNode(),
                "a 204 has no body");
        live("delete", "/api/v1/tokens/{name}", given().delete("/api/v1/tokens/" + unique("none")), 404);
    }

    @Test
    void theAuditLogAnswersWhatTheDocumentSays() {
        post("/api/v1/tokens", Map.of("name", unique("doc-audit"), "role", "viewer"));
        post("/api/v1/tokens", Map.of("name", unique("doc-audit"), "role", "viewer"));
        Response page = given().get("/api/v1/audit?limit=1");
        live("get", "/api/v1/audit", page, 200);
        assertTrue(response("get", "/api/v1/audit", 200).path("headers").has("Link"), "the Link header is documented");
        live("get", "/api/v1/audit", given().get("/api/v1/audit?limit=0"), 400);
        String viewer = Auth.createToken(unique("doc-viewer"), "viewer");
        live("get", "/api/v1/audit", Auth.as(viewer).get("/api/v1/audit"), 403);
    }

    @Test
    void whoamiAnswersWhatTheDocumentSays() {
        String name = unique("doc-whoami");
        String viewer = Auth.createToken(name, "viewer");
        Response me = Auth.as(viewer).get("/api/v1/whoami");
        live("get", "/api/v1/whoami", me, 200);
        assertEquals(name, me.path("actor"));
        assertEquals("viewer", me.path("role"));
        live("get", "/api/v1/whoami", Auth.as("rt_" + "B".repeat(43)).get("/api/v1/whoami"), 401);
    }

    @Test
    void freezesAnswerWhatTheDocumentSays() {
        String name = unique("doc-freeze");
        String target = unique("doc-frozen");
        java.time.Instant now = java.time.Instant.now();
        Map<String, Object> freeze = Map.of("name", name, "from", now.minusSeconds(60).toString(), "until",
                now.plusSeconds(3600).toString(), "targets", List.of(target), "reason", "document check");
        Response created = post("/api/v1/freezes", freeze);
        live("post", "/api/v1/freezes", created, 201);
        assertTrue(hasLocation(response("post", "/api/v1/freezes", 201)));
        live("post", "/api/v1/freezes", post("/api/v1/freezes", freeze), 409);
        live("post", "/api/v1/freezes", post("/api/v1/freezes", Map.of("name", name)), 400);
        Response page = given().get("/api/v1/freezes?limit=1");
        live("get", "/api/v1/freezes", page, 200);
        assertTrue(response("get", "/api/v1/freezes", 200).path("headers").has("Link"), "the Link header is documented");
        live("get", "/api/v1/freezes", given().get("/api/v1/freezes?limit=0"), 400);

        // a start on a frozen target, and an advance of a rollout on it: 409 frozen with Retry-After
        String plan = unique("doc-frozen-plan");
        post("/api/v1/plans", plan(plan, "MANUAL", "PAUSE", seedSteps("PT1H"))).then().statusCode(201);
        Response frozenStart = post("/api/v1/rollouts", Map.of("plan", plan, "target", target, "version", "v1"));
        live("post", "/api/v1/rollouts", frozenStart, 409);
        assertNotNull(frozenStart.header("Retry-After"));
        assertTrue(response("post", "/api/v1/rollouts", 409).path("headers").has("Retry-After"));

        assertTrue(operation("delete", "/api/v1/freezes/{name}").path("requestBody").path("required").asBoolean());
        live("delete", "/api/v1/freezes/{name}", given().contentType(ContentType.JSON).body(Map.of())
                .delete("/api/v1/freezes/" + name), 400);
        live("delete", "/api/v1/freezes/{name}", given().contentType(ContentType.JSON).body(Map.of("reason", "done"))
                .delete("/api/v1/freezes/" + name), 204);
        live("delete", "/api/v1/freezes/{name}", given().contentType(ContentType.JSON).body(Map.of("reason", "done"))
                .delete("/api/v1/freezes/" + name), 404);
    }

    @Test
    void everyOperationNeedsTheBearerTokenAndSays401() {
        JsonNode schemes = doc.path("components").path("securitySchemes");
        String scheme = schemes.fieldNames().next();
        assertEquals("http", schemes.path(scheme).path("type").asText());
        assertEquals("bearer", schemes.path(scheme).path("scheme").asText());
        forEachOperation((method, path, operation) -> {
            boolean secured = false;
            for (JsonNode requirement : operation.path("security")) {
                secured |= requirement.has(scheme);
            }
            assertTrue(secured, method + " " + path + " has no security requirement");
            String concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000")
                    .replaceAll("\\{[^}]+}", "x");
            Response anonymous = Auth.anonymous().contentType(ContentType.JSON).body("{}")
                    .request(method.toUpperCase(), concrete);
            live(method, path, anonymous, 401);
        });
    }

    @Test
    void everyRefusalIsProblemJsonAndEveryWriteSaysRateLimitedWithRetryAfter() {
        JsonNode problem = doc.path("components").path("schemas").path("Problem");
        for (String member : List.of("type", "title", "status", "detail")) {
            assertTrue(problem.path("properties").has(member), "Problem schema has " + member);
        }
        forEachOperation((method, path, operation) -> {
            Iterator<Map.Entry<String, JsonNode>> responses = operation.path("responses").fields();
            while (responses.hasNext()) {
                Map.Entry<String, JsonNode> entry = responses.next();
                JsonNode response = resolve(entry.getValue());
                int status = Integer.parseInt(entry.getKey());
                JsonNode content = response.path("content");
                if (status >= 400) {
                    assertEquals(List.of("application/problem+json"), names(content),
                            method + " " + path + " " + status);
                    assertEquals("#/components/schemas/Problem",
                            content.path("application/problem+json").path("schema").path("$ref").asText(),
                            method + " " + path + " " + status);
                } else if (status != 204) {
                    // event streams are text/event-stream; every other answer is JSON
                    assertEquals(List.of(path.endsWith("/events") ? "text/event-stream" : "application/json"),
                            names(content), method + " " + path + " " + status);
                }
            }
            if (!method.equals("get")) {
                JsonNode limited = resolve(operation.path("responses").path("429"));
                assertTrue(limited.path("headers").has("Retry-After"), method + " " + path + " documents 429");
            }
            for (String status : List.of("401", "403", "503")) {
                assertTrue(operation.path("responses").has(status), method + " " + path + " documents " + status);
            }
        });
    }

    // ---- helpers

    private interface OperationCheck {
        void check(String method, String path, JsonNode operation);
    }

    private void forEachOperation(OperationCheck check) {
        Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
        int seen = 0;
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/v1")) {
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields();
            while (operations.hasNext()) {
                Map.Entry<String, JsonNode> operation = operations.next();
                if (operation.getValue().has("responses")) {
                    check.check(operation.getKey(), path.getKey(), operation.getValue());
                    seen++;
                }
            }
        }
        assertTrue(seen >= 18, "operations seen: " + seen);
    }

    private static Response post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }

    private static RequestSpecification given() {
        return io.restassured.RestAssured.given();
    }

    private JsonNode operation(String method, String path) {
        JsonNode operation = doc.path("paths").path(path).path(method);
        assertFalse(operation.isMissingNode(), method + " " + path + " is not documented");
        return operation;
    }

    private JsonNode response(String method, String path, int status) {
        JsonNode response = operation(method, path).path("responses").path(Integer.toString(status));
        assertFalse(response.isMissingNode(), method + " " + path + " does not document " + status);
        return resolve(response);
    }

    private JsonNode resolve(JsonNode response) {
        String ref = response.path("$ref").asText("");
        return ref.isEmpty() ? response
                : doc.path("components").path("responses").path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    /** The live answer's status is documented for the operation, with the live answer's media type. */
    private void live(String method, String path, Response live, int expected) {
        assertEquals(expected, live.statusCode(), method + " " + path + ": " + live.asString());
        JsonNode documented = response(method, path, expected);
        if (expected == 204) {
            assertTrue(live.asString().isEmpty());
            return;
        }
        String type = live.contentType().split(";")[0].trim();
        assertTrue(documented.path("content").has(type), method + " " + path + " " + expected + " answers " + type
                + " but documents " + names(documented.path("content")));
    }

    private static boolean hasLocation(JsonNode response) {
        return response.path("headers").has("Location");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
