package dev.rollout.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.SseClient;
import dev.rollout.support.TestDatabase;

/**
 * Two instances on one database: an event appended by instance B reaches a stream served by instance A and
 * wakes a request A holds; when A shuts down, what it holds is answered at once with the latest refusal and
 * its streams end cleanly, so clients reconnect elsewhere.
 */
class EventStreamsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AppProcess a;
    private static AppProcess b;

    @BeforeAll
    static void startInstances() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_streams");
        a = AppProcess.start("streams-a", env(db, "streams-a"));
        b = AppProcess.start("streams-b", env(db, "streams-b"));
    }

    private static Map<String, String> env(TestDatabase.Location db, String instanceId) {
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", instanceId);
        env.put("ROLLOUT_STREAM_KEEP_ALIVE", "1s");
        return env;
    }

    @AfterAll
    static void stopInstances() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static SseClient stream(AppProcess app, String path) {
        SseClient client = SseClient.open(app.baseUrl() + path,
                Map.of("Authorization", "Bearer " + AppProcess.ADMIN_TOKEN));
        assertEquals(200, client.status());
        return client;
    }

    private static CompletableFuture<HttpResponse<String>> heldAdvance(AppProcess app, String id) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/rollouts/" + id
                + "/advance?wait=PT5M")).timeout(Duration.ofMinutes(6))
                .header("Authorization", "Bearer " + AppProcess.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitHeld(AppProcess app, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().body().lines()
                .anyMatch(line -> line.startsWith("rollout_advances_held ") && line.endsWith(" " + count + ".0")));
    }

    /** A MANUAL rollout at 5 %, started on {@code app}, whose next step is an hour away. */
    private static String atFirstStep(AppProcess app, String name) {
        Map<String, Object> plan = Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 5, "minDwell", "PT1H"), Map.of("percentage", 100,
                        "minDwell", "PT1H")));
        assertEquals(201, app.post("/api/v1/plans", plan).status());
        AppProcess.Reply started = app.post("/api/v1/rollouts", Map.of("plan", name, "target", name + "-target",
                "version", "v1"));
        assertEquals(201, started.status(), started.toString());
        String id = started.json().path("id").asText();
        assertEquals(200, app.post("/api/v1/rollouts/" + id + "/advance", null).status());
        return id;
    }

    @Test
    void eventsAppendedByOneInstanceReachStreamsAndHeldRequestsOfTheOther() throws Exception {
        try (SseClient all = stream(a, "/api/v1/events")) {
            String id = atFirstStep(b, "across");
            try (SseClient one = stream(a, "/api/v1/rollouts/" + id + "/events")) {
                CompletableFuture<HttpResponse<String>> held = heldAdvance(a, id);
                awaitHeld(a, 1);
                assertEquals(200, b.post("/api/v1/rollouts/" + id + "/pause", Map.of("reason", "from b")).status());

                HttpResponse<String> answer = held.get(15, TimeUnit.SECONDS);
                assertEquals(409, answer.statusCode(), answer.body());
                assertEquals("/problems/not-progressing", JSON.readTree(answer.body()).path("type").asText());

                await().atMost(Duration.ofSeconds(15)).until(() -> one.events().stream()
                        .anyMatch(e -> e.event().equals("paused")));
                await().atMost(Duration.ofSeconds(15)).until(() -> all.events().stream()
                        .map(e -> e.event()).toList().containsAll(List.of("started", "step", "paused")));
                assertEquals("from b", one.events().stream().filter(e -> e.event().equals("paused")).findFirst()
                        .orElseThrow().json().path("reason").asText());
            }
        }
    }

    @Test
    void onShutdownHeldRequestsAreAnsweredAndStreamsEndCleanly() throws Exception {
        String id = atFirstStep(b, "shutdown");
        AppProcess stopping = AppProcess.start("streams-c", env(TestDatabase.fresh("rollout_it_streams_c"),
                "streams-c"));
        try {
            String local = atFirstStep(stopping, "shutdown-local");
            SseClient stream = stream(stopping, "/api/v1/rollouts/" + local + "/events");
            CompletableFuture<HttpResponse<String>> held = heldAdvance(stopping, local);
            awaitHeld(stopping, 1);
            long asked = System.nanoTime();
            stopping.stop();
            HttpResponse<String> answer = held.get(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - asked) / 1_000_000;
            assertEquals(409, answer.statusCode(), answer.body());
            assertEquals("/problems/too-early", JSON.readTree(answer.body()).path("type").asText());
            assertTrue(answer.headers().firstValue("Retry-After").isPresent());
            await().atMost(Duration.ofSeconds(30)).until(stream::ended);
            System.out.printf("shutdown: the held request was answered %d ms after SIGTERM%n", millis);
        } finally {
            stopping.close();
        }
        assertEquals(200, b.get("/api/v1/rollouts/" + id).status(), "the other instances go on");
    }
}
