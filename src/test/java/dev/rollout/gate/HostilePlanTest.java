package dev.rollout.gate;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Plans built to stall the controller: the largest body it accepts (256 KiB) spent on one gate string that
 * is expensive for a careless parser. Each is refused as {@code invalid-plan} naming the field, in well
 * under a second, and the service keeps answering meanwhile.
 */
@QuarkusTest
class HostilePlanTest {

    private static final int BODY_BUDGET = 255 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String plan(String name, Map<String, Object> gate) throws Exception {
        return JSON.writeValueAsString(Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 100, "minDwell", "PT0S")), "gates", List.of(gate)));
    }

    /** A plan of nearly 256 KiB whose one hostile string fills the room left by the rest. */
    private static String hostile(String name, Function<Integer, Map<String, Object>> gateOfSize) throws Exception {
        int overhead = plan(name, gateOfSize.apply(0)).length();
        String body = plan(name, gateOfSize.apply(BODY_BUDGET - overhead));
        assertTrue(body.length() > 250 * 1024 && body.length() <= BODY_BUDGET, "size " + body.length());
        return body;
    }

    private static void refusedQuicklyWhileServing(String name, String body, String field) throws Exception {
        CompletableFuture<Response> refusal = CompletableFuture.supplyAsync(
                () -> given().contentType(ContentType.JSON).body(body).post("/api/v1/plans"));
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> given().get("/q/health").then().statusCode(200));
        long start = System.nanoTime();
        Response answer = refusal.get(5, TimeUnit.SECONDS);
        answer.then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-plan")).body("detail", containsString(field));
        assertTrue(answer.asString().length() < 4096, "the refusal does not echo the hostile string");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
        given().get("/q/health").then().statusCode(200);
        given().get("/api/v1/plans/" + name).then().statusCode(404);
    }

    @Test
    void aMatcherOfQuarterAMegabyteWithSpacesInsideIsRefusedAtOnce() throws Exception {
        String name = unique("hostile");
        String body = hostile(name, n -> Map.of("name", "g", "kind", "no-firing-alerts",
                "matchers", List.of("a=x" + " ".repeat(n) + "y")));
        refusedQuicklyWhileServing(name, body, "gates[0].matchers[0]");
    }

    @Test
    void deeplyNestedRegexGroupsAreRefusedNotA500() throws Exception {
        String name = unique("hostile");
        String body = hostile(name, n -> Map.of("name", "g", "kind", "no-firing-alerts",
                "matchers", List.of("a=~\"" + "(".repeat(n / 2) + ")".repeat(n / 2) + "\"")));
        refusedQuicklyWhileServing(name, body, "gates[0].matchers[0]");
    }

    @Test
    void everyGateStringIsCapped() throws Exception {
        for (Map.Entry<String, Function<Integer, Map<String, Object>>> c : Map.<String, Function<Integer, Map<String, Object>>>of(
                "gates[0].query", n -> Map.of("name", "g", "kind", "target-up", "query", "up" + " ".repeat(n)),
                "gates[0].metrics[0]", n -> Map.of("name", "g", "kind", "metrics-present",
                        "metrics", List.of("m".repeat(Math.max(n, 1)))),
                "gates[0].condition", n -> Map.of("name", "g", "kind", "query-threshold", "query", "up",
                        "condition", "<" + " ".repeat(n) + "1"),
                "gates[0].name", n -> Map.of("name", "g".repeat(Math.max(n, 1)), "kind", "target-up", "query", "up"),
                "gates[0].source", n -> Map.of("name", "g", "kind", "target-up", "query", "up",
                        "source", "s".repeat(Math.max(n, 1))),
                "gates[0].aggregate", n -> Map.of("name", "g", "kind", "query-threshold", "query", "up",
                        "condition", "< 1", "aggregate", "a".repeat(Math.max(n, 1)))).entrySet()) {
            String name = unique("hostile");
            refusedQuicklyWhileServing(name, hostile(name, c.getValue()), c.getKey());
        }
    }

    @Test
    void everyStringOfTheBurnRateAndCompareKindsIsCapped() throws Exception {
        for (Map.Entry<String, Function<Integer, Map<String, Object>>> c : Map.<String, Function<Integer, Map<String, Object>>>of(
                "gates[0].errorRatio", n -> Map.of("name", "g", "kind", "burn-rate", "objective", 0.999,
                        "errorRatio", "e[$window]" + " ".repeat(n)),
                "gates[0].windows[0].long", n -> Map.of("name", "g", "kind", "burn-rate", "objective", 0.999,
                        "errorRatio", "e[$window]", "windows", List.of(Map.of("long", "1".repeat(Math.max(n, 1)) + "h",
                                "short", "5m", "factor", 14.4))),
                "gates[0].canary", n -> Map.of("name", "g", "kind", "compare", "canary", "c" + " ".repeat(n),
                        "baseline", "b", "maxIncrease", "20%"),
                "gates[0].baseline", n -> Map.of("name", "g", "kind", "compare", "canary", "c",
                        "baseline", "b" + " ".repeat(n), "maxIncrease", "20%"),
                "gates[0].maxIncrease", n -> Map.of("name", "g", "kind", "compare", "canary", "c", "baseline", "b",
                        "maxIncrease", "1".repeat(Math.max(n, 1)) + "%")).entrySet()) {
            String name = unique("hostile");
            refusedQuicklyWhileServing(name, hostile(name, c.getValue()), c.getKey());
        }
    }

    @Test
    void tooManyGatesOrMatchersAreRefused() throws Exception {
        String name = unique("hostile");
        List<Map<String, Object>> gates = java.util.stream.IntStream.range(0, GateLimits.MAX_GATES + 1)
                .mapToObj(i -> Map.<String, Object>of("name", "g" + i, "kind", "target-up", "query", "up")).toList();
        String body = JSON.writeValueAsString(Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 100, "minDwell", "PT0S")), "gates", gates));
        given().contentType(ContentType.JSON).body(body).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"))
                .body("detail", containsString("at most " + GateLimits.MAX_GATES));
        String many = plan(name, Map.of("name", "g", "kind", "no-firing-alerts",
                "matchers", java.util.Collections.nCopies(GateLimits.MAX_MATCHERS + 1, "a=b")));
        given().contentType(ContentType.JSON).body(many).post("/api/v1/plans").then().statusCode(400)
                .body("detail", containsString("gates[0].matchers: at most " + GateLimits.MAX_MATCHERS));
        assertEquals(404, given().get("/api/v1/plans/" + name).statusCode());
    }
}
