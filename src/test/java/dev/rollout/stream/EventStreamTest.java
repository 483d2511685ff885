package dev.rollout.stream;

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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The event streams: the wire format, resuming with Last-Event-ID without gap or duplicate, seq order kept
 * when transactions commit out of it, target scopes, the bounds on open streams, keep-alive comments.
 */
@QuarkusTest
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    DataSource dataSource;

    @Inject
    EventLog eventLog;

    @Inject
    EventStreams streams;

    private static String url(String path) {
        return RestAssured.baseURI + ":" + RestAssured.port + path;
    }

    private static SseClient open(String path, String token, Long lastEventId) {
        Map<String, String> headers = new java.util.HashMap<>();
        headers.put("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            headers.put("Last-Event-ID", Long.toString(lastEventId));
        }
        SseClient client = SseClient.open(url(path), headers);
        assertEquals(200, client.status(), path);
        return client;
    }

    private static String admin() {
        return Auth.bootstrapToken();
    }

    private static String startSlowRollout(String target) {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        return startRollout(plan, target);
    }

    private static List<Long> historySeqs(String id) {
        return Api.history(id).stream().map(e -> ((Number) e.get("seq")).longValue()).toList();
    }

    @Test
    void eachEventIsSentAsIdEventAndDataInTheContractsFormat() {
        String id = startSlowRollout(unique("target"));
        try (SseClient stream = open("/api/v1/rollouts/" + id + "/events", admin(), 0L)) {
            assertTrue(stream.header("Content-Type").startsWith("text/event-stream"), stream.header("Content-Type"));
            await().atMost(WAIT).until(() -> stream.events().size() >= 1);
            long seq = historySeqs(id).get(0);
            List<String> lines = stream.lines();
            int at = lines.indexOf("id: " + seq);
            assertTrue(at >= 0, "an 'id: <seq>' line: " + lines);
            assertEquals("event: started", lines.get(at + 1));
            assertTrue(lines.get(at + 2).startsWith("data: {"), lines.get(at + 2));
            assertEquals("", lines.get(at + 3), "an empty line ends the event");
            JsonNode data = stream.events().get(0).json();
            assertEquals(id, data.path("rolloutId").asText());
            assertEquals(seq, data.path("seq").asLong());
            assertEquals("started", data.path("action").asText());
            Map<String, Object> fromHistory = Api.history(id).get(0);
            for (String field : List.of("action", "actor", "at")) {
                assertEquals(String.valueOf(fromHistory.get(field)), data.path(field).asText(), field);
            }
            assertTrue(data.has("details") && data.has("toPercentage"), data.toString());
            assertTrue(lines.get(0).startsWith(":"), "a comment opens the stream: " + lines);
        }
    }

    @Test
    void liveEventsArriveInOrderAndLastEventIdResumesWithNoGapAndNoDuplicate() {
        String id = startSlowRollout(unique("target"));
        List<Long> seen = new ArrayList<>();
        try (SseClient stream = open("/api/v1/rollouts/" + id + "/events", admin(), null)) {
            Api.advance(id).then().statusCode(200);
            Api.command(id, "pause", "first").then().statusCode(200);
            // Without Last-Event-ID the stream starts at the horizon as it opens: the started event, committed
            // just before, may come too; never less than what follows.
            java.util.function.Supplier<List<SseClient.Event>> live = () -> stream.events().stream()
                    .filter(e -> !e.event().equals("started")).toList();
            await().atMost(WAIT).until(() -> live.get().size() >= 2);
            assertEquals(List.of("step", "paused"), live.get().stream().map(SseClient.Event::event).toList(),
                    "new events, in order");
            seen.addAll(live.get().stream().map(SseClient.Event::seq).toList());
        }
        // Events appended while no stream is open are sent on reconnection, after the last one received.
        Api.command(id, "resume", null).then().statusCode(200);
        Api.command(id, "pause", "second").then().statusCode(200);
        try (SseClient resumed = open("/api/v1/rollouts/" + id + "/events", admin(), seen.get(seen.size() - 1))) {
            Api.command(id, "resume", null).then().statusCode(200);
            List<Long> history = historySeqs(id);
            await().atMost(WAIT).until(() -> resumed.events().size() >= 3);
            seen.addAll(resumed.seqs());
            assertEquals(history.subList(1, history.size()), seen, "every event after started, once, in seq order");
        }
    }

    @Test
    void theStreamOfAllEventsShowsOnlyTheTargetsOfAScopedCredential() {
        String prefix = unique("scoped");
        String inScope = startSlowRollout(prefix + "-a");
        String outOfScope = startSlowRollout(unique("elsewhere"));
        String scoped = given().contentType(ContentType.JSON).body(Map.of("name", unique("viewer"), "role", "viewer",
                "targets", List.of(prefix + "-*"))).post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        try (SseClient stream = open("/api/v1/events", scoped, null)) {
            Api.command(outOfScope, "pause", "not yours").then().statusCode(200);
            Api.command(inScope, "pause", "yours").then().statusCode(200);
            await().atMost(WAIT).until(() -> !stream.events().isEmpty());
            Api.command(outOfScope, "resume", null).then().statusCode(200);
            Api.command(inScope, "resume", null).then().statusCode(200);
            await().atMost(WAIT).until(() -> stream.events().size() >= 2);
            for (SseClient.Event event : stream.events()) {
                assertEquals(inScope, event.json().path("rolloutId").asText(), "only events of " + prefix + "-*");
            }
        }
        Auth.as(scoped).get("/api/v1/rollouts/" + outOfScope + "/events").then().statusCode(404);
    }

    /**
     * A transaction that took a seq and has not committed holds back what follows it: a stream never sends
     * 12 before 11 (a client resuming after 12 would never get 11). A seq rolled back is passed once every
     * transaction that could hold it has ended.
     */
    @Test
    void aSeqStillInFlightHoldsBackLaterEventsUntilItCommits() throws Exception {
        // Two rollouts: the open transaction's row keeps a key-share lock on its own rollout only.
        String slow = startSlowRollout(unique("target"));
        String quick = startSlowRollout(unique("target"));
        try (SseClient all = open("/api/v1/events", admin(), null);
                Connection open = dataSource.getConnection()) {
            open.setAutoCommit(false);
            long inFlight = insertEvent(open, slow, "slow transaction");
            // (A stream opened without Last-Event-ID may also send the two rollouts' started events.)
            java.util.function.Supplier<List<Long>> seen = () -> all.events().stream()
                    .filter(e -> List.of(slow, quick).contains(e.json().path("rolloutId").asText()))
                    .map(SseClient.Event::seq).filter(seq -> seq >= inFlight).toList();
            Api.command(quick, "pause", "committed first").then().statusCode(200);
            long committed = last(historySeqs(quick));
            assertTrue(committed > inFlight);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> seen.get().isEmpty());
            open.commit();
            await().atMost(WAIT).until(() -> seen.get().size() >= 2);
            assertEquals(List.of(inFlight, committed), seen.get(), "in seq order, each once");

            long rolledBack = insertEvent(open, slow, "rolled back");
            open.rollback();
            Api.command(quick, "resume", null).then().statusCode(200);
            long after = last(historySeqs(quick));
            assertTrue(after > rolledBack);
            await().atMost(Duration.ofSeconds(40)).until(() -> seen.get().size() >= 3);
            assertEquals(List.of(inFlight, committed, after), seen.get(), "the rolled back seq is passed over");
        }
    }

    /**
     * The bound a missing seq is noted with is above the id of every transaction that may hold it, even the
     * newest one, still open, with nothing completed after it (a snapshot's xmax, one past the highest
     * completed id, is not: the feed then passed over a seq still in flight).
     */
    @Test
    void theIdBoundOfAMissingSeqIsAboveTheNewestTransactionStillOpen() throws Exception {
        String rollout = startSlowRollout(unique("target"));
        try (Connection open = dataSource.getConnection()) {
            open.setAutoCommit(false);
            long seq = insertEvent(open, rollout, "newest transaction");
            long holder;
            try (PreparedStatement id = open.prepareStatement("select pg_current_xact_id()::text::bigint");
                    ResultSet r = id.executeQuery()) {
                r.next();
                holder = r.getLong(1);
            }
            assertTrue(eventLog.lastSeq() >= seq);
            EventLog.Snapshot snapshot = eventLog.snapshot();
            open.rollback();
            assertTrue(snapshot.xmin() <= holder, "an open transaction is not below xmin");
            assertTrue(snapshot.idBound() > holder, "bound " + snapshot.idBound() + " for holder " + holder);
        }
    }

    private static long last(List<Long> seqs) {
        return seqs.get(seqs.size() - 1);
    }

    /** Appends an event the way History does, in {@code connection}'s open transaction; returns its seq. */
    private static long insertEvent(Connection connection, String rolloutId, String reason) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deployment_state (rollout_id, at, action, actor, reason, details)
                values (?, statement_timestamp(), 'paused', 'test', ?, '{}') returning seq""")) {
            insert.setObject(1, UUID.fromString(rolloutId));
            insert.setString(2, reason);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void aCommentGoesOutAtLeastEveryKeepAliveInterval() {
        String id = startSlowRollout(unique("target"));
        try (SseClient stream = open("/api/v1/rollouts/" + id + "/events", admin(), null)) {
            // keep-alive is 1 s in tests
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().contains(": keep-alive"));
        }
    }

    @Test
    void openStreamsAreBoundedPerCredential() {
        String[] viewer = Auth.newToken("viewer");
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // rollout.stream.max-streams-per-credential is 3 in tests
                open.add(open("/api/v1/events", viewer[1], null));
            }
            Auth.as(viewer[1]).get("/api/v1/events").then().statusCode(429)
                    .body("type", equalTo("/problems/too-many-streams")).header("Retry-After", equalTo("5"));
            String other = Auth.newToken("viewer")[1];
            try (SseClient another = open("/api/v1/events", other, null)) {
                assertEquals(200, another.status(), "another credential is not held back");
            }
            open.remove(0).close();
            // the closed stream is forgotten (at the latest at the next keep-alive), and its place is free again
            await().atMost(WAIT).until(() -> {
                SseClient again = SseClient.open(url("/api/v1/events"), Map.of("Authorization", "Bearer " + viewer[1]));
                if (again.status() == 200) {
                    open.add(again);
                    return true;
                }
                again.close();
                return false;
            });
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    void badLastEventIdsAndCredentialsInTheUrlAreRefused() {
        String id = startSlowRollout(unique("target"));
        for (String bad : List.of("abc", "-1", "12 13", "9".repeat(30))) {
            given().header("Last-Event-ID", bad).get("/api/v1/rollouts/" + id + "/events").then().statusCode(400)
                    .body("type", equalTo("/problems/invalid-request"));
        }
        // A credential is read from the Authorization header only, never from the URL.
        Auth.anonymous().queryParam("access_token", Auth.bootstrapToken()).get("/api/v1/events").then()
                .statusCode(401);
        Auth.anonymous().queryParam("token", Auth.bootstrapToken()).get("/api/v1/rollouts/" + id + "/events")
                .then().statusCode(401);
        given().get("/api/v1/rollouts/" + UUID.randomUUID() + "/events").then().statusCode(404);
        assertFalse(streams.openStreams() > 100);
    }
}
