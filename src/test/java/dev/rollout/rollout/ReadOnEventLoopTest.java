package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.inject.Inject;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.rollout.plan.PlanService;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code GET /rollouts/{id}} answered on the event loop from the read pool: it shows the committed row at the
 * time of the request, whoever committed it, and what it cannot know without a blocking read (a credential or a
 * plan not cached yet) is read on a worker thread.
 */
@QuarkusTest
class ReadOnEventLoopTest {

    @Inject
    DataSource dataSource;

    @Inject
    PlanService plans;

    @Test
    void aGetShowsAChangeAnotherInstanceCommittedAtOnce() throws SQLException {
        String id = startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target"));
        given().get("/api/v1/rollouts/" + id).then().statusCode(200).body("state", equalTo("PROGRESSING"));
        // Another instance pauses it: committed on a connection of its own, not through this service.
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "update rollout set state = 'PAUSED', updated_at = now(), row_version = row_version + 1 where id = ?")) {
            update.setObject(1, UUID.fromString(id));
            assertEquals(1, update.executeUpdate());
        }
        given().get("/api/v1/rollouts/" + id).then().statusCode(200).body("state", equalTo("PAUSED"))
                .body("earliestAdvanceAt", equalTo(null));
    }

    @Test
    void aGetSentAfterACommitShowsItWhileOtherReadsAreOnTheirWay() throws Exception {
        String id = startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target"));
        // Other requests keep reads of the same row on their way, so a new one could be tempted to join them.
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            readers.submit(() -> {
                while (busy.get()) {
                    given().get("/api/v1/rollouts/" + id).then().statusCode(200);
                }
            });
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "update rollout set version = ?, row_version = row_version + 1 where id = ?")) {
            for (int i = 0; i < 30; i++) {
                String version = "v" + i;
                update.setString(1, version);
                update.setObject(2, UUID.fromString(id));
                assertEquals(1, update.executeUpdate()); // committed (auto-commit) before the GET is sent
                given().get("/api/v1/rollouts/" + id).then().statusCode(200).body("version", equalTo(version));
            }
        } finally {
            busy.set(false);
            readers.shutdown();
            assertTrue(readers.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void aTokenNotCachedYetIsReadOffTheEventLoopAndAnswers() {
        String id = startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target"));
        // A new token's first use misses the verification cache; the lookup refuses to run on the event loop,
        // so a 200 here means it ran on a worker.
        String[] viewer = Auth.newToken("viewer");
        Auth.as(viewer[1]).get("/api/v1/rollouts/" + id).then().statusCode(200).body("id", equalTo(id));
        Auth.as(viewer[1]).get("/api/v1/rollouts/" + id).then().statusCode(200);
        Auth.as("rt_" + "x".repeat(43)).get("/api/v1/rollouts/" + id).then().statusCode(401);
        Auth.as(viewer[1]).get("/api/v1/rollouts/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aPlanNotCachedYetIsReadOffTheEventLoop() throws SQLException {
        String planName = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String id = startRollout(planName, unique("target"));
        long planId = planOf(id);
        assertFalse(plans.cached(planId).isPresent(), "the start does not fill the cache");
        // Reading the plan blocks: on the event loop the persistence layer would refuse it (500).
        given().get("/api/v1/rollouts/" + id).then().statusCode(200).body("plan", equalTo(planName));
        assertTrue(plans.cached(planId).isPresent());
    }

    private long planOf(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement read = c.prepareStatement("select plan_id from rollout where id = ?")) {
            read.setObject(1, UUID.fromString(id));
            try (ResultSet row = read.executeQuery()) {
                assertTrue(row.next());
                return row.getLong(1);
            }
        }
    }
}
