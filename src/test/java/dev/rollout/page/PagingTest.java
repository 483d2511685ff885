package dev.rollout.page;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Every list is paged: a JSON array of at most {@code limit} items, a {@code Link: <...>; rel="next"} header
 * while more follow, and no item lost or repeated when the pages are followed. Bad {@code limit} and
 * {@code after} values are a 400 problem that changes nothing.
 */
@QuarkusTest
class PagingTest {

    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");

    /** Follows the Link headers from {@code first}; returns every page's items, checking each page's size. */
    private static List<Map<String, Object>> walk(String first, int limit) {
        List<Map<String, Object>> all = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            Response page = given().urlEncodingEnabled(false).get(next);
            assertEquals(200, page.statusCode(), page.asString());
            assertTrue(page.contentType().startsWith("application/json"), page.contentType());
            List<Map<String, Object>> items = page.jsonPath().getList("$");
            String link = page.header("Link");
            if (link == null) {
                assertTrue(items.size() <= limit, "last page within the limit");
                next = null;
            } else {
                assertEquals(limit, items.size(), "a page with a next link is full");
                Matcher m = NEXT.matcher(link);
                assertTrue(m.matches(), "Link header shape: " + link);
                next = m.group(1);
                assertTrue(next.startsWith(first.substring(0, first.indexOf('?'))), "same list: " + next);
                assertTrue(next.contains("limit=" + limit), "the limit is kept: " + next);
            }
            all.addAll(items);
            assertTrue(++pages < 10_000, "paging ends");
        }
        return all;
    }

    private static <T> void noRepeats(List<Map<String, Object>> items, Function<Map<String, Object>, T> key) {
        List<T> keys = items.stream().map(key).toList();
        assertEquals(keys.size(), new HashSet<>(keys).size(), "no item on two pages: " + keys);
    }

    @Test
    void plansArePagedByName() {
        String prefix = unique("paged-plan");
        List<String> created = new ArrayList<>();
        for (String suffix : List.of("c", "a", "b")) {
            created.add(Api.createPlan(Api.plan(prefix + "-" + suffix, "MANUAL", "PAUSE", Api.seedSteps("PT1H"))));
        }
        Response first = given().get("/api/v1/plans?limit=2");
        assertEquals(200, first.statusCode());
        assertEquals(2, first.jsonPath().getList("$").size(), "limit is honoured");
        assertTrue(first.header("Link") != null, "more follow");

        List<Map<String, Object>> all = walk("/api/v1/plans?limit=2", 2);
        noRepeats(all, p -> p.get("name"));
        List<String> names = all.stream().map(p -> (String) p.get("name")).toList();
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "by name");
        assertTrue(names.containsAll(created), "every plan is on a page");
        assertEquals(given().get("/api/v1/plans?limit=1000").jsonPath().getList("name"), names.subList(0,
                Math.min(1000, names.size())), "one big page says the same");
    }

    @Test
    void rolloutsArePagedNewestFirstAndKeepTheirFilter() {
        String plan = Api.createPlan(Api.plan(unique("paged-rollouts"), "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(Api.startRollout(plan, unique("paged-target")));
        }
        List<Map<String, Object>> all = walk("/api/v1/rollouts?limit=1", 1);
        noRepeats(all, r -> r.get("id"));
        List<Instant> started = all.stream().map(r -> Instant.parse((String) r.get("startedAt"))).toList();
        for (int i = 1; i < started.size(); i++) {
            assertFalse(started.get(i).isAfter(started.get(i - 1)), "newest first");
        }
        List<Object> listed = all.stream().map(r -> r.get("id")).toList();
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)),
                listed.stream().filter(ids::contains).toList(), "the three, newest first");

        List<Map<String, Object>> progressing = walk("/api/v1/rollouts?state=PROGRESSING&limit=2", 2);
        assertTrue(progressing.stream().allMatch(r -> "PROGRESSING".equals(r.get("state"))), "the filter holds");
        assertTrue(progressing.stream().map(r -> r.get("id")).toList().containsAll(ids));
    }

    @Test
    void historyIsPagedOldestFirstBySeq() {
        String id = Api.startManualRollout("PT1H");
        Api.advance(id).then().statusCode(200);
        Api.advance(id).then().statusCode(409);
        Api.command(id, "pause", "paging").then().statusCode(200);
        Api.command(id, "resume", null).then().statusCode(200);
        List<Map<String, Object>> whole = Api.history(id);
        assertEquals(5, whole.size(), "started, step, advance_refused, paused, resumed");
        assertNull(given().get("/api/v1/rollouts/" + id + "/history").header("Link"), "1000 by default");

        List<Map<String, Object>> paged = walk("/api/v1/rollouts/" + id + "/history?limit=2", 2);
        assertEquals(whole, paged, "the same events, in the same order");
        Response page = given().get("/api/v1/rollouts/" + id + "/history?limit=2");
        Object secondSeq = page.jsonPath().getList("seq").get(1);
        assertTrue(page.header("Link").contains("after=" + secondSeq), "the cursor is the last seq: " + page.header("Link"));
        List<Object> after = given().get("/api/v1/rollouts/" + id + "/history?after=" + secondSeq).jsonPath().getList("seq");
        assertEquals(whole.subList(2, 5).stream().map(e -> e.get("seq")).toList(), after);
    }

    @Test
    void tokensArePaged() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = unique("paged-token");
            given().contentType(ContentType.JSON).body(Map.of("name", name, "role", "viewer"))
                    .post("/api/v1/tokens").then().statusCode(201);
            names.add(name);
        }
        List<Map<String, Object>> all = walk("/api/v1/tokens?limit=2", 2);
        noRepeats(all, t -> t.get("name"));
        List<Object> listed = all.stream().map(t -> t.get("name")).toList();
        assertEquals(names, listed.stream().filter(names::contains).toList(), "oldest first");
        assertTrue(all.stream().noneMatch(t -> t.containsKey("token")), "never a secret");
    }

    @Test
    void badLimitsAndCursorsAreRefusedWith400() {
        String id = Api.startManualRollout("PT1H");
        String otherList = given().get("/api/v1/rollouts?limit=1").header("Link");
        String rolloutCursor = otherList == null ? "x" : otherList.replaceAll(".*after=([^&>]+).*", "$1");
        String wrongParts = Base64.getUrlEncoder().withoutPadding().encodeToString("name".getBytes());
        for (String path : List.of("/api/v1/plans", "/api/v1/rollouts", "/api/v1/tokens",
                "/api/v1/rollouts/" + id + "/history", "/api/v1/plans/no-such-plan-at-all/versions")) {
            for (String query : List.of("limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5", "limit=",
                    "limit=1&limit=2", "after=1&after=2", "after=" + "A".repeat(600))) {
                problem(path + "?" + query);
            }
        }
        for (String path : List.of("/api/v1/rollouts", "/api/v1/tokens")) {
            for (String after : List.of("not-a-cursor!", "%00", wrongParts, "a.b.c", "", "....")) {
                problem(path + "?after=" + after);
            }
        }
        problem("/api/v1/plans?after=" + rolloutCursor);
        for (String after : List.of("-1", "abc", "1.5", "", "99999999999999999999")) {
            problem("/api/v1/rollouts/" + id + "/history?after=" + after);
        }
        given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000/history?limit=5").then().statusCode(404);
    }

    @Test
    void theApiDocumentDescribesPaging() throws Exception {
        com.fasterxml.jackson.databind.JsonNode paths = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                given().get("/q/openapi?format=json").then().statusCode(200).extract().asString()).path("paths");
        for (String path : List.of("/api/v1/plans", "/api/v1/plans/{name}/versions", "/api/v1/rollouts",
                "/api/v1/rollouts/{id}/history", "/api/v1/tokens", "/api/v1/freezes")) {
            com.fasterxml.jackson.databind.JsonNode get = paths.path(path).path("get");
            List<String> parameters = new ArrayList<>();
            get.path("parameters").forEach(p -> parameters.add(p.path("name").asText()));
            assertTrue(parameters.containsAll(List.of("limit", "after")), path + ": " + parameters);
            assertTrue(get.path("responses").path("200").path("headers").has("Link"), path + " documents Link");
            assertTrue(get.path("responses").has("400"), path + " documents 400");
        }
    }

    private static void problem(String path) {
        Response r = given().urlEncodingEnabled(false).get(path);
        assertEquals(400, r.statusCode(), path + ": " + r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), path + ": " + r.contentType());
        assertTrue(r.jsonPath().getString("type").endsWith("/invalid-request"), path + ": " + r.asString());
    }
}
