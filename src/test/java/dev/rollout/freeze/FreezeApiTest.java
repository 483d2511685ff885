package dev.rollout.freeze;

import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.rollout.clock.RolloutClock;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.GrafanaStubResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Setting, listing and lifting freezes: validation, names, paging, the audit log and the annotations. */
@QuarkusTest
class FreezeApiTest {

    @Inject
    RolloutClock clock;

    @AfterEach
    void resetStub() {
        GrafanaStubResource.stub().reset();
    }

    private Map<String, Object> freeze(String name, Duration from, Duration until, List<String> targets) {
        Instant now = clock.now().truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "from", now.plus(from).toString(),
                "until", now.plus(until).toString(), "reason", "release freeze for " + name));
        if (targets != null) {
            body.put("targets", targets);
        }
        return body;
    }

    static Response post(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/freezes");
    }

    static Response lift(String name, String reason) {
        return given().contentType(ContentType.JSON).body(reason == null ? Map.of() : Map.of("reason", reason))
                .delete("/api/v1/freezes/" + name);
    }

    @Test
    void aFreezeIsCreatedListedAndLiftedAndItsNameCanBeUsedAgain() {
        String name = unique("freeze");
        Map<String, Object> body = freeze(name, Duration.ofHours(-1), Duration.ofHours(2), List.of("pay-*", "checkout"));
        post(body).then().statusCode(201).header("Location", endsWith("/api/v1/freezes/" + name))
                .body("name", equalTo(name)).body("state", equalTo("in-force"))
                .body("targets", equalTo(List.of("pay-*", "checkout"))).body("from", equalTo(body.get("from")))
                .body("until", equalTo(body.get("until"))).body("createdBy", equalTo("bootstrap-admin"));
        post(body).then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/freeze-exists"));

        Map<String, Object> listed = Api.find("/api/v1/freezes", "name", name);
        assertNotNull(listed);
        assertEquals("in-force", listed.get("state"));
        assertEquals("release freeze for " + name, listed.get("reason"));

        lift(name, null).then().statusCode(400).body("type", equalTo("/problems/invalid-request"))
                .body("detail", containsString("reason"));
        assertNotNull(Api.find("/api/v1/freezes", "name", name), "a refused lift changes nothing");
        lift(name, "release done").then().statusCode(204);
        assertNull(Api.find("/api/v1/freezes", "name", name));
        lift(name, "again").then().statusCode(404).body("type", equalTo("/problems/not-found"));
        post(body).then().statusCode(201);
        lift(name, "tidy up").then().statusCode(204);
    }

    @Test
    void targetsAreOptionalAndMeanEveryTarget() {
        String name = unique("everything");
        // far ahead, so that no other test's rollout is ever held by it
        post(freeze(name, Duration.ofDays(300), Duration.ofDays(301), null)).then().statusCode(201)
                .body("targets", nullValue()).body("state", equalTo("scheduled"));
        lift(name, "not needed after all").then().statusCode(204);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        int before = Api.all("/api/v1/freezes").size();
        post(Map.of("name", "bad name", "from", "yesterday", "until", "2026-01-01T00:00:00", "targets", List.of(),
                "reason", "")).then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-request"))
                .body("errors", hasItem(containsString("name:"))).body("errors", hasItem(containsString("from:")))
                .body("errors", hasItem(containsString("until:"))).body("errors", hasItem(containsString("targets:")))
                .body("errors", hasItem(containsString("reason:")));
        post(freeze(unique("backwards"), Duration.ofHours(2), Duration.ofHours(1), null)).then().statusCode(400)
                .body("errors", equalTo(List.of("until: must be after from")));
        post(freeze(unique("over"), Duration.ofHours(-2), Duration.ofHours(-1), null)).then().statusCode(400)
                .body("errors[0]", containsString("must be in the future"));
        Map<String, Object> unknown = new HashMap<>(freeze(unique("unknown"), Duration.ZERO, Duration.ofHours(1), null));
        unknown.put("scope", "all");
        post(unknown).then().statusCode(400).body("type", equalTo("/problems/unknown-field"));
        given().contentType(ContentType.JSON).body("{").post("/api/v1/freezes").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-json"));
        given().get("/api/v1/freezes?limit=0").then().statusCode(400).body("type", equalTo("/problems/invalid-request"));
        given().get("/api/v1/freezes?after=%21%21").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-request"));
        assertEquals(before, Api.all("/api/v1/freezes").size());
    }

    @Test
    void aCredentialLimitedToTargetsCannotSetOrLiftAFreezeButMayReadThem() {
        String scoped = given().contentType(ContentType.JSON).body(Map.of("name", unique("scoped-op"), "role",
                "operator", "targets", List.of("pay-*"))).post("/api/v1/tokens").then().statusCode(201).extract()
                .path("token");
        String name = unique("scoped");
        Auth.as(scoped).contentType(ContentType.JSON).body(freeze(name, Duration.ZERO, Duration.ofHours(1),
                List.of("pay-*"))).post("/api/v1/freezes").then().statusCode(403)
                .body("type", equalTo("/problems/out-of-scope"));
        post(freeze(name, Duration.ZERO, Duration.ofHours(1), List.of("pay-*"))).then().statusCode(201);
        Auth.as(scoped).contentType(ContentType.JSON).body(Map.of("reason", "x")).delete("/api/v1/freezes/" + name)
                .then().statusCode(403);
        Auth.as(Auth.newToken("viewer")[1]).get("/api/v1/freezes?limit=1000").then().statusCode(200);
        lift(name, "done").then().statusCode(204);
    }

    @Test
    void theListIsPagedByNameWithALinkToTheNextPage() {
        String prefix = unique("paged");
        for (String suffix : List.of("c", "a", "b")) {
            post(freeze(prefix + "-" + suffix, Duration.ZERO, Duration.ofHours(1), List.of(prefix + "-svc")))
                    .then().statusCode(201);
        }
        Response first = given().get("/api/v1/freezes?limit=1");
        first.then().statusCode(200).header("Link", containsString("rel=\"next\""))
                .header("Link", containsString("limit=1"));
        List<Map<String, Object>> all = Api.all("/api/v1/freezes?limit=2");
        List<String> names = all.stream().map(f -> (String) f.get("name")).toList();
        assertEquals(names.stream().sorted().toList(), names, "by name");
        assertEquals(names.stream().distinct().count(), names.size(), "no freeze twice");
        List<String> mine = names.stream().filter(n -> n.startsWith(prefix + "-")).toList();
        assertEquals(List.of(prefix + "-a", prefix + "-b", prefix + "-c"), mine);
        for (String suffix : List.of("a", "b", "c")) {
            lift(prefix + "-" + suffix, "paging test done").then().statusCode(204);
        }
    }

    @Test
    void settingAndLiftingAreAuditedAndAnnotatedWithTagFreeze() {
        GrafanaStub grafana = GrafanaStubResource.stub();
        String[] operatorToken = Auth.newToken("operator");
        String operator = operatorToken[1];
        String name = unique("audited");
        Map<String, Object> body = freeze(name, Duration.ofMinutes(-5), Duration.ofHours(3), List.of("audited-*"));
        Auth.as(operator).contentType(ContentType.JSON).body(body).post("/api/v1/freezes").then().statusCode(201);
        Auth.as(operator).contentType(ContentType.JSON).body(Map.of("reason", "incident INC-7 closed"))
                .delete("/api/v1/freezes/" + name).then().statusCode(204);

        List<Map<String, Object>> entries = Api.all("/api/v1/audit?limit=1000").stream()
                .filter(e -> e.get("details") instanceof Map<?, ?> d && name.equals(d.get("name"))).toList();
        assertEquals(List.of("freeze_created", "freeze_lifted"), entries.stream().map(e -> e.get("action")).toList());
        Map<String, Object> created = entries.get(0);
        Map<String, Object> lifted = entries.get(1);
        assertEquals("release freeze for " + name, created.get("reason"));
        assertEquals("incident INC-7 closed", lifted.get("reason"));
        assertEquals(operatorToken[0], created.get("actor"));
        assertEquals(operatorToken[0], lifted.get("actor"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) created.get("details");
        assertEquals(Map.of("name", name, "from", body.get("from"), "until", body.get("until"),
                "targets", List.of("audited-*")), details);

        await().atMost(Duration.ofSeconds(30)).until(() -> grafana.annotationsTagged("freeze", "freeze:" + name).size() == 2);
        GrafanaStub.Stored set = grafana.annotationsTagged("freeze", "freeze:" + name, "action:freeze_created").get(0);
        GrafanaStub.Stored liftedNote = grafana.annotationsTagged("freeze", "freeze:" + name, "action:freeze_lifted")
                .get(0);
        assertEquals(Instant.parse((String) body.get("from")).toEpochMilli(), set.time(), "a region from its start");
        assertEquals(Instant.parse((String) body.get("until")).toEpochMilli(), set.body().path("timeEnd").asLong(),
                "to its end");
        assertTrue(set.text().contains("freeze " + name + " on audited-*: set from "), set.text());
        assertTrue(set.text().endsWith(". Reason: release freeze for " + name), set.text());
        assertTrue(liftedNote.text().contains("lifted") && liftedNote.text().contains("incident INC-7 closed"),
                liftedNote.text());
        assertTrue(set.has("audit:" + created.get("seq")), set.tags().toString());
        assertEquals(List.of(), grafana.shapeErrors());
    }

    @Test
    void aFreezeOfEveryTargetIsAnnotatedAsSuch() {
        GrafanaStub grafana = GrafanaStubResource.stub();
        String name = unique("all-targets");
        post(freeze(name, Duration.ofDays(200), Duration.ofDays(201), null)).then().statusCode(201);
        lift(name, "cancelled").then().statusCode(204);
        await().atMost(Duration.ofSeconds(30)).until(() -> grafana.annotationsTagged("freeze:" + name).size() == 2);
        assertTrue(grafana.annotationsTagged("freeze:" + name).get(0).text().contains(" on every target: "));
    }
}
