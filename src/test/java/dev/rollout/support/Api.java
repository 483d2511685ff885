package dev.rollout.support;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Small helpers for driving the HTTP API in tests. */
public final class Api {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Api() {}

    /** A name no other test uses, so tests sharing one database never collide. */
    public static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Map<String, Object> plan(String name, String mode, String onViolation, List<Map<String, Object>> steps) {
        return Map.of("name", name, "mode", mode, "onViolation", onViolation, "steps", steps);
    }

    public static Map<String, Object> step(double percentage, String minDwell) {
        return Map.of("percentage", percentage, "minDwell", minDwell);
    }

    /** The seed's six steps, each with the given dwell. */
    public static List<Map<String, Object>> seedSteps(String dwell) {
        return List.of(step(5, dwell), step(10, dwell), step(25, dwell), step(50, dwell), step(75, dwell),
                step(100, dwell));
    }

    public static String createPlan(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/plans")
                .then().statusCode(201).extract().path("name");
    }

    public static String startRollout(String plan, String target) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", target, "version", "v1.0.0"))
                .post("/api/v1/rollouts").then().statusCode(201).extract().path("id");
    }

    /** Creates a MANUAL plan with the seed's steps and starts a rollout of it on a fresh target. */
    public static String startManualRollout(String dwell) {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps(dwell)));
        return startRollout(plan, unique("target"));
    }

    public static Response advance(String id) {
        return given().contentType(ContentType.JSON).post("/api/v1/rollouts/" + id + "/advance");
    }

    public static Response command(String id, String command, String reason) {
        return given().contentType(ContentType.JSON).body(reason == null ? Map.of() : Map.of("reason", reason))
                .post("/api/v1/rollouts/" + id + "/" + command);
    }

    public static Response get(String id) {
        return given().get("/api/v1/rollouts/" + id);
    }

    /** Every item of a paged list, following its {@code Link: <...>; rel="next"} headers from {@code path}. */
    public static List<Map<String, Object>> all(String path) {
        List<Map<String, Object>> items = new java.util.ArrayList<>();
        String next = path;
        while (next != null) {
            Response page = given().urlEncodingEnabled(false).get(next);
            page.then().statusCode(200);
            items.addAll(page.jsonPath().getList("$"));
            String link = page.header("Link");
            next = link == null ? null : link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }
        return items;
    }

    /** The item of a paged list whose {@code key} is {@code value}, or null. */
    public static Map<String, Object> find(String path, String key, Object value) {
        return all(path).stream().filter(item -> value.equals(item.get(key))).findFirst().orElse(null);
    }

    public static List<Map<String, Object>> history(String id) {
        return given().get("/api/v1/rollouts/" + id + "/history").then().statusCode(200).extract().jsonPath()
                .getList("$");
    }
}
