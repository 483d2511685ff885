package dev.rollout.webhook;

import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.rollout.support.Metrics;
import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** A plan's step webhook: a signed POST on every percentage change that a receiver can verify with the secret. */
@QuarkusTest
class StepWebhookTest {

    /** The secret configured for the tests as rollout.webhook.secrets.test-hook. */
    private static final String SECRET = "webhook-test-secret";

    record Call(byte[] body, String signature, String delivery) {
    }

    HttpServer receiver;
    final List<Call> calls = new ArrayList<>();
    final AtomicInteger failFirst = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = 204;
            if (failFirst.getAndDecrement() > 0) {
                status = 503;
            } else {
                synchronized (calls) {
                    calls.add(new Call(body, exchange.getRequestHeaders().getFirst("X-Rollout-Signature"),
                            exchange.getRequestHeaders().getFirst("X-Rollout-Delivery")));
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private String planWithWebhook(String secretRef) {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("hooked"), "MANUAL", "PAUSE",
                List.of(step(10, "PT0S"), step(50, "PT0S"), step(100, "PT0S"))));
        plan.put("webhook", Map.of("url", hookUrl(), "secretRef", secretRef));
        return Api.createPlan(plan);
    }

    @Test
    void everyPercentageChangeIsPostedSignedAndTheReceiverCanVerifyIt() throws Exception {
        failFirst.set(2); // the receiver is unavailable at first: the outbox retries
        String plan = planWithWebhook("test-hook");
        given().get("/api/v1/plans/" + plan).then().statusCode(200)
                .body("webhook.url", equalTo(hookUrl())).body("webhook.secretRef", equalTo("test-hook"))
                .body(org.hamcrest.Matchers.not(containsString(SECRET)));
        String target = unique("svc");
        String id = startRollout(plan, target);
        Api.advance(id).then().statusCode(200);   // 0 -> 10
        Api.advance(id).then().statusCode(200);   // 10 -> 50
        Api.command(id, "pause", "hold").then().statusCode(200);   // no percentage change: no call
        Api.command(id, "rollback", "bad canary").then().statusCode(200);  // 50 -> 0

        await().atMost(Duration.ofSeconds(30)).until(() -> callsFor(id).size() == 3);
        List<Call> received = callsFor(id);
        ObjectMapper json = new ObjectMapper();
        List<String> moves = new ArrayList<>();
        for (Call call : received) {
            assertTrue(verifyAsAReceiverWould(SECRET, call.body(), call.signature()), "signature verifies");
            assertTrue(WebhookSigner.verify(SECRET, call.body(), call.signature()));
            assertTrue(!WebhookSigner.verify("another-secret", call.body(), call.signature()));
            JsonNode body = json.readTree(call.body());
            assertEquals(id, body.get("rolloutId").asText());
            assertEquals(plan, body.get("plan").asText());
            assertEquals(target, body.get("target").asText());
            assertEquals("v1.0.0", body.get("version").asText());
            assertTrue(body.hasNonNull("time") && body.hasNonNull("action"));
            assertEquals(id + ":" + body.get("seq").asLong(), call.delivery());
            moves.add(body.get("action").asText() + " " + body.get("from").asDouble() + "->" + body.get("to").asDouble());
        }
        assertEquals(List.of("step 0.0->10.0", "step 10.0->50.0", "rolled_back 50.0->0.0"), moves);
        // The failed attempts show in the metrics.
        String metrics = Metrics.scrape().then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("rollout_outbox_delivery_failures_total{channel=\"webhook\"")
                && !l.endsWith(" 0.0")), "webhook failures counted");
    }

    @Test
    void aWebhookMustBeAnHttpUrlAndNameAConfiguredSecret() {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("hooked"), "MANUAL", "PAUSE",
                List.of(step(100, "PT0S"))));
        plan.put("webhook", Map.of("url", "ftp://example/hook", "secretRef", "nobody-configured-this"));
        given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(400)
                .body("type", equalTo("/problems/invalid-plan"))
                .body("errors", org.hamcrest.Matchers.hasItems(
                        containsString("webhook.url: must be an absolute http or https URL"),
                        containsString("webhook.secretRef: no secret named 'nobody-configured-this' is configured")));
        plan.put("webhook", Map.of("url", hookUrl(), "secretRef", "test-hook", "secret", "inline"));
        given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(400);
    }

    private List<Call> callsFor(String rolloutId) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.delivery() != null && c.delivery().startsWith(rolloutId + ":")).toList();
        }
    }

    /** What a receiver does, with nothing but the JDK: HMAC-SHA256 over the raw body, compared in constant time. */
    private static boolean verifyAsAReceiverWould(String secret, byte[] body, String header) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        return header != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
