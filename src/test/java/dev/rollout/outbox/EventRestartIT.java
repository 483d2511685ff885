package dev.rollout.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.it.AppProcess;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.TestDatabase;

/**
 * A restart of the packaged service with a backlog, mid-delivery: the first process is killed (SIGKILL)
 * while Grafana holds a request it already stored, with more events queued behind it; a second process
 * on the same database delivers everything, with no annotation twice and in order.
 */
class EventRestartIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BEARER = "Bearer " + AppProcess.ADMIN_TOKEN;

    final GrafanaStub grafana = new GrafanaStub();
    final List<AppProcess> processes = new ArrayList<>();
    TestDatabase.Location db;

    @AfterEach
    void stop() {
        processes.forEach(AppProcess::kill);
        grafana.stop();
    }

    @Test
    void aRestartWithABacklogMidDeliverySendsEveryAnnotationExactlyOnce() throws Exception {
        db = TestDatabase.fresh("rollout_events_it");
        String first = start();
        String plan = "restart-plan";
        String target = "restart-svc";
        grafana.holdWhen(body -> body.path("tags").toString().contains("\"target:" + target + "\""));
        post(first, "/api/v1/plans", """
                {"name": "%s", "mode": "MANUAL", "onViolation": "PAUSE",
                 "steps": [{"percentage": 5, "minDwell": "PT0S"}, {"percentage": 50, "minDwell": "PT0S"},
                           {"percentage": 100, "minDwell": "PT1H"}]}""".formatted(plan), 201);
        String id = post(first, "/api/v1/rollouts",
                "{\"plan\": \"%s\", \"target\": \"%s\", \"version\": \"v2\"}".formatted(plan, target), 201)
                .get("id").asText();
        // Grafana has stored the "started" annotation and is holding its answer.
        await().atMost(Duration.ofSeconds(30)).until(() -> grafana.holding() == 1);
        post(first, "/api/v1/rollouts/" + id + "/advance", "", 200);
        post(first, "/api/v1/rollouts/" + id + "/advance", "", 200);
        post(first, "/api/v1/rollouts/" + id + "/pause", "{\"reason\": \"restart drill\"}", 200);

        processes.get(0).kill(); // SIGKILL: nothing recorded after the send
        assertTrue(!processes.get(0).isAlive());
        grafana.releaseHeld();
        assertEquals(1, grafana.annotationsTagged("rollout:" + id).size(), "only the held one reached Grafana");

        String second = start();
        List<Long> seqs = new ArrayList<>();
        get(second, "/api/v1/rollouts/" + id + "/history").forEach(e -> seqs.add(e.get("seq").asLong()));
        assertEquals(4, seqs.size(), "started, two steps, paused: " + seqs);
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.annotationsTagged("rollout:" + id).size() >= seqs.size());
        List<String> arrived = grafana.annotationsTagged("rollout:" + id).stream()
                .map(a -> a.tags().stream().filter(t -> t.startsWith("event:")).findFirst().orElseThrow()).toList();
        assertEquals(seqs.stream().map(s -> "event:" + s).toList(), arrived, "each once, in order");
        for (long seq : seqs) {
            assertEquals(1, grafana.postsTagged("rollout:" + id, "event:" + seq).size(), "event " + seq);
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                ResultSet rs = c.createStatement().executeQuery("select state, deduplicated from event_outbox "
                        + "where channel = 'grafana' and event_seq = " + seqs.get(0))) {
            assertTrue(rs.next());
            assertEquals("DELIVERED", rs.getString(1));
            assertTrue(rs.getBoolean(2), "the new process found the held annotation instead of posting it again");
        }
    }

    /** Starts the packaged service on a free port and waits until it is ready; returns its base URL. */
    private String start() {
        Map<String, String> env = new HashMap<>(AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password()));
        env.put("ROLLOUT_GRAFANA_URL", grafana.url());
        env.put("ROLLOUT_GRAFANA_TOKEN", GrafanaStub.TOKEN);
        env.put("ROLLOUT_GRAFANA_TIMEOUT", "2s");
        env.put("ROLLOUT_OUTBOX_INTERVAL", "1s");
        env.put("ROLLOUT_OUTBOX_LEASE", "5s");
        env.put("ROLLOUT_OUTBOX_INITIAL_BACKOFF", "200ms");
        env.put("ROLLOUT_OUTBOX_MAX_BACKOFF", "1s");
        AppProcess app = AppProcess.start("event-restart", env);
        processes.add(app);
        return app.baseUrl();
    }

    private static JsonNode post(String base, String path, String body, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").header("Authorization", BEARER).timeout(Duration.ofSeconds(10))
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), response.body());
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static JsonNode get(String base, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", BEARER).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
