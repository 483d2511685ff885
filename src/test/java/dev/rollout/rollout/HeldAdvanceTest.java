package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateReport;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.Auth;
import dev.rollout.support.TestClock;
import dev.rollout.wake.Topic;
import dev.rollout.wake.Wakeups;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * {@code advance?wait=}: a refused request is held and answered when the rollout advances, at once when it
 * stops progressing, with the latest refusal when the wait runs out; many held requests leave the rest of
 * the API answering. The dwell is ended by moving the {@link TestClock}, and the retry that follows is set
 * off with an {@link Topic#EVALUATE} wake-up, never by a timer racing the test.
 */
@QuarkusTest
class HeldAdvanceTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TestClock clock;

    @Inject
    HeldAdvances held;

    @Inject
    Wakeups wakeups;

    @Inject
    RolloutWatch watch;

    @Inject
    GateEvaluator gateEvaluator;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** A MANUAL rollout at its first step (5 %), whose next advance is too early for an hour. */
    private static String atFirstStep() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String id = startRollout(plan, unique("target"));
        Api.advance(id).then().statusCode(200);
        return id;
    }

    private static CompletableFuture<HttpResponse<String>> advanceAsync(String id, String wait,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/v1/rollouts/" + id + "/advance?wait=" + wait))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", "Bearer " + Auth.bootstrapToken())
                .POST(HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static long refusals(String id) {
        return Api.history(id).stream().filter(e -> "advance_refused".equals(e.get("action"))).count();
    }

    /** Waits until this instance holds {@code count} requests more than {@code before}. */
    private void awaitHeld(int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> held.held() >= count);
    }

    @Test
    void aHeldAdvanceWhoseClientHangsUpIsLetGoWithoutAnErrorLogged() throws Exception {
        String id = atFirstStep();
        int before = held.held();
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler errorsLogged = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(errorsLogged);
        try {
            try (Socket client = new Socket("127.0.0.1", RestAssured.port)) {
                client.getOutputStream().write(("POST /api/v1/rollouts/" + id + "/advance?wait=PT10M HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nAuthorization: Bearer " + Auth.bootstrapToken() + "\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> held.held() > before);
            } // the client hangs up while its advance is held
            await().atMost(Duration.ofSeconds(30)).until(() -> held.held() <= before);
            // What would be logged follows the release at once; two quiet seconds show that nothing is.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> errors.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(),
                            List::isEmpty);
        } finally {
            root.removeHandler(errorsLogged);
        }
        assertEquals("PROGRESSING", Api.get(id).then().statusCode(200).extract().path("state"));
    }

    @Test
    void aWaitThatIsNotADurationOfAtMostFifteenMinutesIsRefusedAndChangesNothing() {
        String id = atFirstStep();
        int events = Api.history(id).size();
        for (String bad : List.of("PT16M", "P1D", "-PT1M", "PT-1M", "10m", "soon")) {
            given().queryParam("wait", bad).post("/api/v1/rollouts/" + id + "/advance").then().statusCode(400)
                    .body("type", equalTo("/problems/invalid-request"));
        }
        assertEquals(events, Api.history(id).size(), "nothing recorded");
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void aHeldRequestAdvancesWhenTheDwellEndsAndIsRecordedOnce() throws Exception {
        String id = atFirstStep();
        int before = held.held();
        CompletableFuture<HttpResponse<String>> answer = advanceAsync(id, "PT5M", Map.of());
        awaitHeld(before + 1);
        assertFalse(answer.isDone());
        wakeups.publish(Topic.EVALUATE, "test"); // a try before the dwell ends: still too early, still held
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !answer.isDone());

        clock.advance(Duration.ofHours(1));
        wakeups.publish(Topic.EVALUATE, "test");
        HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(10.0, body(response).path("currentPercentage").asDouble());
        assertEquals(1, refusals(id), "one call, one refusal recorded, however often it was tried");
    }

    /**
     * Held on gates-failing: the gate starts passing (a metric appears in Prometheus); once it does, the next
     * evaluation (an EVALUATE wake-up here) moves the rollout and answers the call. The watch is held so
     * that it does not apply the plan's policy to the failing gate meanwhile.
     */
    @Test
    void aRequestHeldOnFailingGatesAdvancesOnceTheyPass() throws Exception {
        String metric = "held_gate_" + java.util.UUID.randomUUID().toString().replace("-", "_");
        Map<String, Object> body = new java.util.HashMap<>(plan(unique("gated"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", List.of(Map.of("name", "canary-metric", "kind", "metrics-present", "metrics", List.of(metric))));
        FakeTarget target = MonitoringResource.target();
        watch.hold();
        try {
            String id = startRollout(createPlan(body), unique("target"));
            int before = held.held();
            CompletableFuture<HttpResponse<String>> answer = advanceAsync(id, "PT5M", Map.of());
            awaitHeld(before + 1);
            List<Map<String, Object>> history = Api.history(id);
            assertEquals("gates-failing", ((Map<?, ?>) history.get(history.size() - 1).get("details")).get("refusal"),
                    "refused for its gate first");
            target.set(metric, 1);
            GateDefinition gate = GateDefinition.metricsPresent("canary-metric", List.of(metric));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> new GateReport(gateEvaluator.evaluate(List.of(gate))).passed());
            wakeups.publish(Topic.EVALUATE, "test");
            HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(5.0, body(response).path("currentPercentage").asDouble());
        } finally {
            target.remove(metric);
            watch.release();
        }
    }

    @Test
    void aHeldRequestIsAnsweredAtOnceWhenTheRolloutIsPausedOrAborted() throws Exception {
        String id = atFirstStep();
        int before = held.held();
        CompletableFuture<HttpResponse<String>> first = advanceAsync(id, "PT10M", Map.of());
        awaitHeld(before + 1);
        Api.command(id, "pause", "incident").then().statusCode(200);
        HttpResponse<String> paused = first.get(10, TimeUnit.SECONDS);
        assertEquals(409, paused.statusCode());
        assertEquals("/problems/not-progressing", body(paused).path("type").asText());

        Api.command(id, "resume", null).then().statusCode(200);
        CompletableFuture<HttpResponse<String>> second = advanceAsync(id, "PT10M", Map.of());
        awaitHeld(before + 1);
        Api.command(id, "abort", "given up").then().statusCode(200);
        HttpResponse<String> aborted = second.get(10, TimeUnit.SECONDS);
        assertEquals(409, aborted.statusCode());
        assertEquals("ABORTED", body(aborted).path("state").asText());
    }

    @Test
    void aHeldRequestWhoseClientWentAwayIsForgotten() throws Exception {
        String id = atFirstStep();
        int before = held.held();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", RestAssured.port)) {
            socket.getOutputStream().write(("POST /api/v1/rollouts/" + id + "/advance?wait=PT10M HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAuthorization: Bearer " + Auth.bootstrapToken() + "\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            awaitHeld(before + 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> held.held() == before);
    }

    @Test
    void whenTheWaitRunsOutTheLatestRefusalIsTheAnswer() throws Exception {
        String id = atFirstStep();
        long started = System.nanoTime();
        HttpResponse<String> response = advanceAsync(id, "PT1S", Map.of()).get(30, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - started >= Duration.ofSeconds(1).toNanos(), "held for the whole wait");
        assertEquals(409, response.statusCode());
        assertEquals("/problems/too-early", body(response).path("type").asText());
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void anIdempotencyKeyWorksAsWithoutWaiting() throws Exception {
        String id = atFirstStep();
        int before = held.held();
        CompletableFuture<HttpResponse<String>> answer = advanceAsync(id, "PT5M", Map.of("Idempotency-Key", "k-" + id));
        awaitHeld(before + 1);
        clock.advance(Duration.ofHours(1));
        wakeups.publish(Topic.EVALUATE, "test");
        HttpResponse<String> first = answer.get(30, TimeUnit.SECONDS);
        assertEquals(200, first.statusCode());
        HttpResponse<String> replay = advanceAsync(id, "PT5M", Map.of("Idempotency-Key", "k-" + id))
                .get(30, TimeUnit.SECONDS);
        assertEquals(200, replay.statusCode());
        assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(null));
        assertEquals(first.body(), replay.body());
        Api.get(id).then().body("currentPercentage", equalTo(10.0f));
    }

    /**
     * 500 requests held on one instance take no connection and no thread: every other call still answers,
     * and when the dwell ends exactly one of them moves the rollout (the others are too early for the next
     * step and stay held) until an abort answers them all at once.
     */
    @Test
    void fiveHundredHeldRequestsLeaveTheApiAnsweringAndAreAnsweredWhenReleased() throws Exception {
        String id = atFirstStep();
        String other = atFirstStep();
        int before = held.held();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        long holding = System.nanoTime();
        for (int batch = 0; batch < 50; batch++) {
            // In steps of ten: a request takes a connection permit until it is held.
            for (int i = 0; i < 10; i++) {
                answers.add(advanceAsync(id, "PT10M", Map.of()));
            }
            awaitHeld(before + answers.size());
        }
        long heldAfterMillis = (System.nanoTime() - holding) / 1_000_000;
        assertEquals(500, held.held() - before);

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            millis.add(timed(() -> Api.get(other).then().statusCode(200)));
            millis.add(timed(() -> Api.advance(other).then().statusCode(409)));
            millis.add(timed(() -> given().get("/api/v1/rollouts?limit=5").then().statusCode(200)));
            millis.add(timed(() -> Api.history(other)));
        }
        millis.add(timed(() -> Api.command(other, "pause", "still answering").then().statusCode(200)));
        assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "all still held");
        millis.sort(null);
        System.out.printf("500 held requests: held within %d ms; %d other calls meanwhile: median %d ms, max %d ms%n",
                heldAfterMillis, millis.size(), millis.get(millis.size() / 2), millis.get(millis.size() - 1));

        clock.advance(Duration.ofHours(1));
        wakeups.publish(Topic.EVALUATE, "test");
        await().atMost(Duration.ofSeconds(60)).until(() -> answers.stream().anyMatch(CompletableFuture::isDone));
        Api.get(id).then().body("currentPercentage", equalTo(10.0f));
        long releasing = System.nanoTime();
        Api.command(id, "abort", "release them").then().statusCode(200);
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        System.out.printf("abort answered the remaining held requests within %d ms%n",
                (System.nanoTime() - releasing) / 1_000_000);
        int advanced = 0;
        int notProgressing = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            if (response.statusCode() == 200) {
                advanced++;
            } else if (response.statusCode() == 409
                    && "/problems/not-progressing".equals(body(response).path("type").asText())) {
                notProgressing++;
            }
        }
        assertEquals(1, advanced, "the rollout moved one step, once");
        assertEquals(499, notProgressing, "the others were answered by the abort");
        assertEquals(before, held.held());
    }

    private static long timed(Runnable call) {
        long started = System.nanoTime();
        call.run();
        return (System.nanoTime() - started) / 1_000_000;
    }

}
