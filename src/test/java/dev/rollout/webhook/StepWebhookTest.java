package dev.rollout.webhook;

import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.GrafanaStubResource;
import dev.rollout.support.WebhookReceiver;
import dev.rollout.support.WebhookReceiverResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A plan's step webhook names an endpoint the administrator configured; every percentage change is POSTed
 * to that endpoint's URL, signed with that endpoint's secret over "timestamp.body". Attempts are bounded:
 * a delivery given up pauses its rollout ({@code webhook-undelivered}). The test configuration allows
 * 3 attempts ({@code %test.rollout.webhook.max-attempts}).
 */
@QuarkusTest
class StepWebhookTest {

    private static final int MAX_ATTEMPTS = 3;

    @Inject
    EntityManager em;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WebhookReceiver receiver() {
        return WebhookReceiverResource.receiver();
    }

    private static Map<String, Object> planWith(Object webhook, double... percentages) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (double p : percentages) {
            steps.add(step(p, "PT0S"));
        }
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("hooked"), "MANUAL", "PAUSE", steps));
        plan.put("webhook", webhook);
        return plan;
    }

    private static String planForEndpoint(String endpoint, double... percentages) {
        return Api.createPlan(planWith(Map.of("endpoint", endpoint), percentages));
    }

    @Test
    void everyPercentageChangeIsPostedSignedOverTimestampAndBody() throws Exception {
        String plan = planForEndpoint("test-hook", 10, 50, 100);
        // Viewers see the endpoint's name only: never its URL, never a secret.
        given().get("/api/v1/plans/" + plan).then().statusCode(200)
                .body("webhook.endpoint", equalTo("test-hook"))
                .body(not(containsString(receiver().url("test-hook"))))
                .body(not(containsString("127.0.0.1")))
                .body(not(containsString(receiver().secret("test-hook"))));
        String target = unique("svc");
        String id = startRollout(plan, target);
        Api.advance(id).then().statusCode(200);   // 0 -> 10
        Api.advance(id).then().statusCode(200);   // 10 -> 50
        Api.command(id, "pause", "hold").then().statusCode(200);   // no percentage change: no call
        Api.command(id, "rollback", "bad canary").then().statusCode(200);  // 50 -> 0

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver().callsFor(id).size() == 3);
        List<String> moves = new ArrayList<>();
        for (WebhookReceiver.Call call : receiver().callsFor(id)) {
            assertEquals("test-hook", call.endpoint());
            assertNotNull(call.timestamp(), "X-Rollout-Timestamp is sent");
            long sent = Long.parseLong(call.timestamp());
            assertTrue(Math.abs(Instant.now().getEpochSecond() - sent) < 300, "the timestamp is Unix seconds, now");
            String secret = receiver().secret("test-hook");
            assertTrue(verifyAsAReceiverWould(secret, call.timestamp(), call.body(), call.signature()),
                    "the signature verifies over timestamp.body");
            // A captured call replayed with a fresh timestamp does not verify: the timestamp is signed.
            assertFalse(verifyAsAReceiverWould(secret, String.valueOf(sent + 301), call.body(), call.signature()));
            assertFalse(verifyAsAReceiverWould(receiver().secret("endpoint-b"), call.timestamp(), call.body(),
                    call.signature()));
            JsonNode body = JSON.readTree(call.body());
            assertEquals(id, body.get("rolloutId").asText());
            assertEquals(plan, body.get("plan").asText());
            assertEquals(target, body.get("target").asText());
            assertEquals("v1.0.0", body.get("version").asText());
            assertEquals(id + ":" + body.get("seq").asLong(), call.delivery());
            moves.add(body.get("action").asText() + " " + body.get("from").asDouble() + "->" + body.get("to").asDouble());
        }
        assertEquals(List.of("step 0.0->10.0", "step 10.0->50.0", "rolled_back 50.0->0.0"), moves);
    }

    @Test
    void anAdminOverrideIsPostedOnceByTheStepItMakes() throws Exception {
        String plan = planForEndpoint("test-hook", 10, 50, 100);
        String id = startRollout(plan, unique("svc"));
        Api.advance(id).then().statusCode(200);   // 0 -> 10; the next step is due at once (PT0S)
        String admin = Auth.newToken("admin")[1];
        Auth.as(admin).contentType(ContentType.JSON).body(Map.of("override", true, "reason", "hotfix verified"))
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200);   // override + step 10 -> 50
        Api.command(id, "rollback", "done").then().statusCode(200);   // 50 -> 0: the last call, in order

        await().atMost(Duration.ofSeconds(30)).until(() -> actions(id).contains("rolled_back"));
        List<String> actions = actions(id);
        assertEquals(List.of("step", "step", "rolled_back"), actions, "the override itself moves no traffic");
    }

    private static List<String> actions(String rolloutId) throws Exception {
        List<String> actions = new ArrayList<>();
        for (WebhookReceiver.Call call : receiver().callsFor(rolloutId)) {
            actions.add(JSON.readTree(call.body()).get("action").asText());
        }
        return actions;
    }

    /** The SSRF: a plan made the controller POST to any address, loopback and cloud metadata included. */
    @Test
    void aPlanNamingAUrlIsRefusedWhateverTheAddress() {
        for (String url : List.of("http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "http://127.0.0.1:5432/", "http://[::1]/", "http://10.0.0.7:8080/x",
                "http://kubernetes.default.svc/api", receiver().url("endpoint-a"))) {
            Map<String, Object> plan = planWith(Map.of("url", url, "secretRef", "test-hook"), 100);
            given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("/problems/invalid-plan"))
                    .body("errors", hasItem(containsString("{\"endpoint\": \"<name>\"}")))
                    .body(not(containsString(receiver().url("endpoint-a"))));
            given().get("/api/v1/plans/" + plan.get("name")).then().statusCode(404);
        }
    }

    /** The secret confusion: a plan named another team's secret and sent the bodies it signs to its own server. */
    @Test
    void aPlanCannotGetAnotherEndpointsSecret() throws Exception {
        // The old shape: the operator's own server with the secret another team's receiver trusts.
        Map<String, Object> attack = planWith(Map.of("url", receiver().url("endpoint-a"), "secretRef", "test-hook"), 100);
        given().contentType(ContentType.JSON).body(attack).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"));
        // An endpoint with a secret of its choice.
        Map<String, Object> mixed = planWith(Map.of("endpoint", "endpoint-a", "secretRef", "endpoint-b"), 100);
        given().contentType(ContentType.JSON).body(mixed).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"));
        // An endpoint nobody configured: the answer says which exist.
        Map<String, Object> unknown = planWith(Map.of("endpoint", "nobody-configured-this"), 100);
        given().contentType(ContentType.JSON).body(unknown).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"))
                .body("errors", hasItem(containsString("no endpoint named 'nobody-configured-this'")))
                .body("errors", hasItem(containsString("endpoint-a")));

        // A plan naming endpoint A: its calls go to A, signed with A's secret, which B's secret cannot verify.
        String plan = planForEndpoint("endpoint-a", 100);
        String id = startRollout(plan, unique("svc"));
        Api.advance(id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver().callsFor(id).size() == 1);
        WebhookReceiver.Call call = receiver().callsFor(id).get(0);
        assertEquals("endpoint-a", call.endpoint());
        assertTrue(verifyAsAReceiverWould(receiver().secret("endpoint-a"), call.timestamp(), call.body(),
                call.signature()));
        assertFalse(verifyAsAReceiverWould(receiver().secret("endpoint-b"), call.timestamp(), call.body(),
                call.signature()));
    }

    @Test
    void aReceiverThatAlwaysFailsGetsExactlyTheBoundThenTheRolloutPauses() {
        String plan = planForEndpoint("always-fails", 10, 100);
        String id = startRollout(plan, unique("svc"));
        Api.advance(id).then().statusCode(200).body("state", equalTo("PROGRESSING"));   // 0 -> 10

        await().atMost(Duration.ofSeconds(30)).until(() -> "PAUSED".equals(Api.get(id).path("state")));
        List<Map<String, Object>> history = Api.history(id);
        Map<String, Object> last = history.get(history.size() - 1);
        assertEquals("paused", last.get("action"));
        assertEquals("webhook-undelivered", last.get("reason"));
        assertEquals("controller", last.get("actor"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) last.get("details");
        assertEquals("always-fails", details.get("endpoint"));
        assertEquals(MAX_ATTEMPTS, ((Number) details.get("attempts")).intValue());
        assertEquals(10.0, ((Number) details.get("toPercentage")).doubleValue());
        assertTrue(String.valueOf(details.get("lastError")).contains("503"), details.toString());
        assertFalse(details.toString().contains("127.0.0.1"), "no URL in the history");
        // Exactly the bound, and no attempt after the give-up.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> receiver().callsFor(id).size() == MAX_ATTEMPTS);
        // The pause is annotated like any event.
        await().atMost(Duration.ofSeconds(30)).until(() -> GrafanaStubResource.stub()
                .annotationsTagged("rollout:" + id, "action:paused").stream()
                .anyMatch(a -> a.text().contains("webhook-undelivered")));
        // A paused rollout does not advance.
        Api.advance(id).then().statusCode(409);
    }

    @Test
    void aReceiverThatRecoversWithinTheBoundGetsItsDeliveryAndNothingPauses() {
        String plan = planForEndpoint("flaky", 10, 100);
        String id = startRollout(plan, unique("svc"));
        Api.advance(id).then().statusCode(200);   // 0 -> 10

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver().callsFor(id).stream()
                .anyMatch(c -> c.answered() == 204));
        List<WebhookReceiver.Call> calls = receiver().callsFor(id);
        assertEquals(WebhookReceiver.FLAKY_FAILURES + 1, calls.size());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> receiver().callsFor(id).size() == WebhookReceiver.FLAKY_FAILURES + 1);
        Api.get(id).then().body("state", equalTo("PROGRESSING"));
        assertTrue(Api.history(id).stream().noneMatch(e -> "webhook-undelivered".equals(e.get("reason"))));
        // The failed attempts show in the metrics.
        String metrics = Metrics.scrape().then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("rollout_outbox_delivery_failures_total{channel=\"webhook\"")
                && !l.endsWith(" 0.0")), "webhook failures counted");
    }

    /** A plan version stored with a URL before endpoints existed: after migration V10 it reads {"urlRetired": true}. */
    @Test
    void aStoredPlanThatNamedAUrlNeverCallsItAndPausesItsRolloutAtOnce() {
        String plan = unique("legacy");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into plan (name, version, mode, on_violation, steps, gates, created_at, created_by, webhook)
                values (?1, 1, 'MANUAL', 'PAUSE', cast(?2 as jsonb), '[]', now(), 'ops',
                        '{"urlRetired": true}')""")
                .setParameter(1, plan)
                .setParameter(2, "[{\"percentage\": 10.0, \"minDwell\": \"PT0S\"}, "
                        + "{\"percentage\": 100.0, \"minDwell\": \"PT0S\"}]")
                .executeUpdate());
        given().get("/api/v1/plans/" + plan).then().statusCode(200).body("webhook.urlRetired", equalTo(true))
                .body("webhook.url", org.hamcrest.Matchers.nullValue());
        String id = startRollout(plan, unique("svc"));
        Api.advance(id).then().statusCode(200);   // 0 -> 10

        await().atMost(Duration.ofSeconds(30)).until(() -> "PAUSED".equals(Api.get(id).path("state")));
        List<Map<String, Object>> history = Api.history(id);
        Map<String, Object> last = history.get(history.size() - 1);
        assertEquals("webhook-undelivered", last.get("reason"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) last.get("details");
        assertEquals(0, ((Number) details.get("attempts")).intValue(), "no request was made");
        assertTrue(String.valueOf(details.get("lastError")).contains("no longer called"), details.toString());
        assertTrue(receiver().callsFor(id).isEmpty());
    }

    @Test
    void aWebhookWithFieldsOfItsOwnIsRefused() {
        Map<String, Object> plan = planWith(Map.of("endpoint", "test-hook", "secret", "inline"), 100);
        given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(400)
                .contentType("application/problem+json");
    }

    /**
     * What a receiver does, with nothing but the JDK: HMAC-SHA256 over "timestamp.body" with its endpoint's
     * secret, compared in constant time (a receiver also refuses timestamps older than 5 minutes).
     */
    private static boolean verifyAsAReceiverWould(String secret, String timestamp, byte[] body, String header)
            throws Exception {
        if (timestamp == null || header == null) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
