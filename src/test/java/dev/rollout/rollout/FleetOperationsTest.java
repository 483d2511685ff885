package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Fleet operations: {@code GET /rollouts} filtered by state, target pattern and plan (with paging and the
 * caller's scope), and the bulk {@code POST /rollouts/pause} and {@code /rollouts/resume}. Every target here
 * starts with a prefix of its own, so rollouts of other tests never match.
 */
@QuarkusTest
class FleetOperationsTest {

    private static Set<String> ids(String query) {
        return Api.all("/api/v1/rollouts?" + query).stream().map(r -> (String) r.get("id")).collect(Collectors.toSet());
    }

    private static Response bulk(RequestSpecification as, String command, Object body) {
        return as.contentType(ContentType.JSON).body(body).post("/api/v1/rollouts/" + command);
    }

    private static Map<String, Object> body(String target, String plan, String reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("target", target);
        if (plan != null) {
            body.put("plan", plan);
        }
        body.put("reason", reason);
        return body;
    }

    private static String state(String id) {
        return Api.get(id).then().statusCode(200).extract().path("state");
    }

    private static Set<String> acted(Response response) {
        response.then().statusCode(200).contentType(ContentType.JSON);
        return Set.copyOf(response.jsonPath().getList("acted", String.class));
    }

    @Test
    void listsFilterByStateTargetPatternAndPlanAloneAndCombinedAndPageWithTheFilters() {
        String prefix = unique("flt");
        String planA = createPlan(plan(unique("plan-a"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String planB = createPlan(plan(unique("plan-b"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String api1 = Api.startRollout(planA, prefix + "-api-1");
        String api2 = Api.startRollout(planB, prefix + "-api-2");
        String web1 = Api.startRollout(planA, prefix + "-web-1");
        Api.command(api2, "pause", "held").then().statusCode(200);

        assertEquals(Set.of(api1, api2, web1), ids("target=" + prefix + "-*"));
        assertEquals(Set.of(api1, api2), ids("target=" + prefix + "-api-*"));
        assertEquals(Set.of(web1), ids("target=" + prefix + "-web-1"));
        assertEquals(Set.of(api1, web1), ids("target=*" + prefix.substring(3) + "-*1&plan=" + planA));
        assertEquals(Set.of(api1, web1), ids("plan=" + planA));
        assertEquals(Set.of(api2), ids("plan=" + planB));
        assertTrue(ids("state=PAUSED").contains(api2));
        assertEquals(Set.of(api2), ids("state=PAUSED&target=" + prefix + "-*"));
        assertEquals(Set.of(api1), ids("state=PROGRESSING&target=" + prefix + "-api-*&plan=" + planA));
        assertEquals(Set.of(), ids("state=PAUSED&plan=" + planA));
        assertEquals(Set.of(), ids("plan=" + unique("no-such-plan")));
        // '_' and '.' are themselves, not SQL wildcards
        assertEquals(Set.of(), ids("target=" + prefix + "_api-*"));

        // Paging keeps the filters: one item a page, newest first, every page filtered.
        Response first = given().get("/api/v1/rollouts?target=" + prefix + "-*&plan=" + planA + "&limit=1");
        first.then().statusCode(200);
        assertEquals(List.of(web1), first.jsonPath().getList("id"));
        String link = first.header("Link");
        assertTrue(link.contains("target=" + prefix + "-*") || link.contains("target=" + prefix + "-%2A"), link);
        assertTrue(link.contains("plan=" + planA) && link.contains("limit=1"), link);
        List<Map<String, Object>> all = Api.all("/api/v1/rollouts?target=" + prefix + "-*&plan=" + planA + "&limit=1");
        assertEquals(List.of(web1, api1), all.stream().map(r -> r.get("id")).toList());

        // A scoped viewer sees only its targets, whatever the filter asks.
        String viewer = given().contentType(ContentType.JSON).body(Map.of("name", unique("scoped"), "role", "viewer",
                "targets", List.of(prefix + "-web-*"))).post("/api/v1/tokens").then().statusCode(201)
                .extract().path("token");
        assertEquals(List.of(web1), Auth.as(viewer).get("/api/v1/rollouts?target=" + prefix + "-*").then()
                .statusCode(200).extract().jsonPath().getList("id"));
        assertEquals(List.of(), Auth.as(viewer).get("/api/v1/rollouts?target=" + prefix + "-api-*").then()
                .statusCode(200).extract().jsonPath().getList("id"));
    }

    @Test
    void badFiltersAreRefusedWithAProblemNamingThem() {
        for (String query : List.of("target=has%20space", "target=a%25", "target=a%3F", "target=-lead",
                "target=" + "x".repeat(101), "plan=bad!name", "target=a&target=b", "state=SOMETIMES")) {
            Response response = given().urlEncodingEnabled(false).get("/api/v1/rollouts?" + query);
            response.then().statusCode(400).contentType("application/problem+json")
                    .body("type", org.hamcrest.Matchers.endsWith("/invalid-request"));
            String parameter = query.substring(0, query.indexOf('='));
            assertTrue(response.jsonPath().getString("detail").startsWith(parameter + ":"), response.asString());
        }
    }

    @Test
    void bulkPauseThenResumeActsOnTheMatchingSubsetEachWithItsOwnEvent() {
        String prefix = unique("blk");
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String other = createPlan(plan(unique("other"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String a1 = Api.startRollout(plan, prefix + "-a-1");
        String a2 = Api.startRollout(plan, prefix + "-a-2");
        String a3 = Api.startRollout(plan, prefix + "-a-3");
        String aOther = Api.startRollout(other, prefix + "-a-4");
        String b1 = Api.startRollout(plan, prefix + "-b-1");
        String done = Api.startRollout(plan, prefix + "-a-5");
        Api.command(done, "abort", "finished before").then().statusCode(200);
        Api.advance(a1).then().statusCode(200); // at 5 %: the pause keeps the percentage
        String[] operator = Auth.newToken("operator");
        RequestSpecification as = Auth.as(operator[1]);

        Response paused = bulk(as, "pause", body(prefix + "-a-*", plan, "shared database outage"));
        assertEquals(Set.of(a1, a2, a3), acted(paused));
        assertEquals(List.of(), paused.jsonPath().getList("skipped"));
        for (String id : List.of(a1, a2, a3)) {
            assertEquals("PAUSED", state(id));
            List<Map<String, Object>> history = Api.history(id);
            List<Map<String, Object>> pauses = history.stream().filter(e -> "paused".equals(e.get("action"))).toList();
            assertEquals(1, pauses.size(), history.toString());
            assertEquals("shared database outage", pauses.get(0).get("reason"));
            assertEquals(operator[0], pauses.get(0).get("actor"));
            assertEquals(history.get(history.size() - 1), pauses.get(0), "the pause is the latest event");
        }
        Api.get(a1).then().body("currentPercentage", equalTo(5.0f));
        for (String id : List.of(aOther, b1)) {
            assertEquals("PROGRESSING", state(id));
            assertEquals(1, Api.history(id).size());
        }
        assertEquals("ABORTED", state(done));

        // Again: nothing left to pause; the matching active rollouts are reported, and nothing is recorded.
        Response again = bulk(as, "pause", body(prefix + "-a-*", plan, "again"));
        assertEquals(Set.of(), acted(again));
        List<Map<String, Object>> skipped = again.jsonPath().getList("skipped");
        assertEquals(Set.of(a1, a2, a3), skipped.stream().map(s -> s.get("id")).collect(Collectors.toSet()));
        assertTrue(skipped.stream().allMatch(s -> "not-progressing".equals(s.get("reason"))
                && "PAUSED".equals(s.get("state"))), skipped.toString());
        assertEquals(2, Api.history(a2).size());

        // Resume by target alone: the PAUSED ones resume, the matching PROGRESSING one is skipped.
        Response resumed = bulk(as, "resume", body(prefix + "-a-*", null, "database is back"));
        assertEquals(Set.of(a1, a2, a3), acted(resumed));
        assertEquals(List.of(Map.of("id", aOther, "reason", "not-paused", "state", "PROGRESSING")),
                resumed.jsonPath().getList("skipped"));
        for (String id : List.of(a1, a2, a3)) {
            assertEquals("PROGRESSING", state(id));
            List<Map<String, Object>> resumes = Api.history(id).stream()
                    .filter(e -> "resumed".equals(e.get("action"))).toList();
            assertEquals(1, resumes.size());
            assertEquals("database is back", resumes.get(0).get("reason"));
            assertEquals(operator[0], resumes.get(0).get("actor"));
        }
        assertEquals(1, Api.history(b1).size());
        assertEquals(1, Api.history(aOther).size());
        // The resumed rollout starts a fresh dwell: advancing at once is too early.
        Api.advance(a1).then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("/too-early"));
    }

    @Test
    void aScopedTokenActsOnlyOnItsTargetsAndOthersDoNotRefuse() {
        String prefix = unique("scp");
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String pay1 = Api.startRollout(plan, prefix + "-pay-1");
        String pay2 = Api.startRollout(plan, prefix + "-pay-2");
        String bill = Api.startRollout(plan, prefix + "-bill-1");
        String token = given().contentType(ContentType.JSON).body(Map.of("name", unique("scoped"), "role", "operator",
                "targets", List.of(prefix + "-pay-*"))).post("/api/v1/tokens").then().statusCode(201)
                .extract().path("token");

        assertEquals(Set.of(pay1, pay2), acted(bulk(Auth.as(token), "pause", body(prefix + "-*", null, "hold"))));
        assertEquals("PROGRESSING", state(bill));
        assertEquals(1, Api.history(bill).size());

        Api.command(bill, "pause", "held by an admin").then().statusCode(200);
        // '*' is every target of the credential's scope, and nothing else
        Response resumed = bulk(Auth.as(token), "resume", body("*", null, "go on"));
        assertEquals(Set.of(pay1, pay2), acted(resumed));
        assertEquals("PAUSED", state(bill));
        assertEquals(2, Api.history(bill).size());
        // a pattern entirely outside the scope matches nothing: no 403, nothing changes
        Response outside = bulk(Auth.as(token), "pause", body(prefix + "-bill-*", null, "not mine"));
        assertEquals(Set.of(), acted(outside));
        assertEquals(List.of(), outside.jsonPath().getList("skipped"));
        assertEquals("PAUSED", state(bill));
    }

    @Test
    void viewersAndDeployersAreRefusedAndBadBodiesChangeNothing() {
        String prefix = unique("bad");
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String id = Api.startRollout(plan, prefix + "-1");
        Map<String, Object> good = body(prefix + "-*", null, "hold");
        for (String role : List.of("viewer", "deployer")) {
            String token = Auth.newToken(role)[1];
            for (String command : List.of("pause", "resume")) {
                bulk(Auth.as(token), command, good).then().statusCode(403).contentType("application/problem+json");
            }
        }
        Auth.anonymous().contentType(ContentType.JSON).body(good).post("/api/v1/rollouts/pause").then().statusCode(401);

        List<Object> bad = List.of(Map.of("reason", "no target"), Map.of("target", prefix + "-*"),
                body(prefix + "-*", null, " "), body(prefix + "-*", null, "two\nlines"), body("has space", null, "x"),
                body(prefix + "%", null, "x"), body("", null, "x"), body(prefix + "-*", "bad!plan", "x"),
                Map.of("target", prefix + "-*", "reason", "x", "colour", "blue"),
                Map.of("target", List.of(prefix + "-*"), "reason", "x"), "{\"target\": ", "[]", "");
        for (String command : List.of("pause", "resume")) {
            for (Object body : bad) {
                RequestSpecification request = given().contentType(ContentType.JSON);
                Response response = (body instanceof String text ? request.body(text) : request.body(body))
                        .post("/api/v1/rollouts/" + command);
                assertEquals(400, response.statusCode(), command + " " + body + ": " + response.asString());
                assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
            }
        }
        assertEquals("PROGRESSING", state(id));
        assertEquals(1, Api.history(id).size());
    }
}
