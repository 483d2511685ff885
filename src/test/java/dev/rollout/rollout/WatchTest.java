package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Metrics;
import dev.rollout.db.Rows;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The watch at fleet scale: every active rollout is looked at in every tick, paused ones included, and a
 * healthy rollout costs no write. The test holds the scheduled watch and runs ticks itself.
 */
@QuarkusTest
class WatchTest {

    /** Passes while the fake orchestrator is up. */
    private static final Map<String, Object> UP = Map.of("name", "orchestrator-up", "kind", "target-up",
            "query", "up{job=\"" + MonitoringResource.JOB + "\"}");
    /** Fails: no such job is scraped. */
    private static final Map<String, Object> MISSING = Map.of("name", "missing-up", "kind", "target-up",
            "query", "up{job=\"no-such-job\"}");

    @Inject
    RolloutWatch watch;

    @Inject
    EntityManager em;

    @BeforeEach
    void holdWatch() {
        watch.hold();
    }

    @AfterEach
    void releaseWatch() {
        watch.release();
    }

    private static String gatedPlan(String onViolation, Map<String, Object> gate) {
        Map<String, Object> body = new HashMap<>(plan(unique("plan"), "MANUAL", onViolation, seedSteps("PT1H")));
        body.put("gates", List.of(gate));
        return createPlan(body);
    }

    @Test
    void theLastOfManyActiveRolloutsIsStillWatched() {
        // More active rollouts than the watch used to read per tick (500), all healthy and not due...
        String quiet = createPlan(plan(unique("quiet"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        for (int i = 0; i < 520; i++) {
            startRollout(quiet, unique("fleet"));
        }
        // ...and, started last, one whose gate fails.
        String last = startRollout(gatedPlan("PAUSE", MISSING), unique("last"));
        RolloutWatch.TickReport tick = watch.tick();
        assertTrue(tick.watched() >= 521, "watched " + tick.watched());
        Api.get(last).then().body("state", equalTo("PAUSED"));
        Map<String, Object> violation = Api.history(last).stream()
                .filter(e -> e.get("action").equals("gate_violation")).findFirst().orElseThrow();
        assertEquals(RolloutWatch.ACTOR, violation.get("actor"));
    }

    @Test
    void aFleetWideViolationIsAppliedInBatchesOnceForEveryRollout() {
        // More violating rollouts than one batch holds (200 by default): several batches in one tick.
        String failing = gatedPlan("PAUSE", MISSING);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(startRollout(failing, unique("wide")));
        }
        RolloutWatch.TickReport first = watch.tick();
        assertTrue(first.violations() >= 250, "violations in the tick: " + first.violations());
        watch.tick(); // a second look must not record anything again
        Map<String, Long> counts = countsByRollout(ids);
        for (String id : ids) {
            assertEquals("PAUSED", state(id), id);
            assertEquals(1L, counts.getOrDefault(id + "/gate_violation", 0L), () -> "gate_violation of " + id);
            assertEquals(1L, counts.getOrDefault(id + "/paused", 0L), () -> "paused of " + id);
        }
    }

    @Test
    void aRolloutSomeoneElseHoldsDuringATickIsChangedAtTheNextTickNotLost() throws Exception {
        String failing = gatedPlan("PAUSE", MISSING);
        String a = startRollout(failing, unique("free-a"));
        String held = startRollout(failing, unique("held"));
        String c = startRollout(failing, unique("free-c"));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        // Held as a change holds it, but in NO KEY UPDATE mode: the tick's write of gate results (a foreign key,
        // KEY SHARE) must not wait for this test, which lets go only after the tick.
        Thread holder = new Thread(() -> QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("select 1 from rollout where id = ?1 for no key update")
                    .setParameter(1, UUID.fromString(held)).getResultList();
            locked.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        holder.start();
        try {
            assertTrue(locked.await(30, TimeUnit.SECONDS));
            watch.tick();
            assertEquals("PAUSED", state(a));
            assertEquals("PAUSED", state(c));
            assertEquals("PROGRESSING", state(held), "a rollout held by someone else is left to them this tick");
        } finally {
            letGo.countDown();
            holder.join(30_000);
        }
        watch.tick();
        assertEquals("PAUSED", state(held), "skipped while held, changed at the next tick");
        watch.tick();
        Map<String, Long> counts = countsByRollout(List.of(a, held, c));
        for (String id : List.of(a, held, c)) {
            assertEquals(1L, counts.getOrDefault(id + "/gate_violation", 0L), () -> "gate_violation of " + id);
            assertEquals(1L, counts.getOrDefault(id + "/paused", 0L), () -> "paused of " + id);
        }
    }

    private String state(String id) {
        return QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select state from rollout where id = ?1").setParameter(1, UUID.fromString(id)).getSingleResult());
    }

    /** "id/action" to how many events of that action the rollout has, read in one query. */
    private Map<String, Long> countsByRollout(List<String> ids) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select cast(rollout_id as text), action, count(*) from deployment_state
                    where rollout_id in (:ids) group by 1, 2""")
                    .setParameter("ids", ids.stream().map(UUID::fromString).toList()).getResultList();
            Map<String, Long> counts = new HashMap<>();
            rows.forEach(r -> counts.put(r[0] + "/" + r[1], ((Number) r[2]).longValue()));
            return counts;
        });
    }

    @Test
    void aPausedRolloutWithARollbackPolicyIsRolledBackWhenAGateFails() {
        String id = startRollout(gatedPlan("ROLLBACK", UP), unique("paused-rollback"));
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Api.command(id, "pause", "looking at a dashboard").then().statusCode(200);
        watch.tick();
        Api.get(id).then().body("state", equalTo("PAUSED")); // healthy: still paused, still at 5 %

        MonitoringResource.target().stop();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(200))
                    .until(() -> {
                        watch.tick();
                        return "ROLLED_BACK".equals(Api.get(id).path("state"));
                    });
        } finally {
            MonitoringResource.healthy(MonitoringResource.target());
        }
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
        List<String> actions = Api.history(id).stream().map(e -> (String) e.get("action")).toList();
        assertEquals(List.of("started", "step", "paused", "gate_violation", "rolled_back"), actions);
    }

    @Test
    void aViolationOfAPausedRolloutIsRecordedOnceNotEveryTick() {
        String id = startRollout(gatedPlan("PAUSE", MISSING), unique("paused-pause"));
        Api.command(id, "pause", "before the gate was looked at").then().statusCode(200);
        watch.tick();
        watch.tick();
        watch.tick();
        Api.get(id).then().body("state", equalTo("PAUSED"));
        long violations = Api.history(id).stream().filter(e -> e.get("action").equals("gate_violation")).count();
        assertEquals(1, violations, () -> "history: " + Api.history(id));
    }

    @Test
    void gateResultsAreWrittenOnChangeButShownFresh() {
        String id = startRollout(gatedPlan("PAUSE", UP), unique("fresh"));
        watch.tick();
        Instant stored = storedEvaluatedAt(id);
        String shownFirst = given().get("/api/v1/rollouts/" + id + "/gates").then().statusCode(200)
                .body("[0].status", equalTo("PASS")).extract().path("[0].evaluatedAt");
        watch.tick();
        watch.tick();
        // Unchanged status: the table keeps the first result, the API shows the latest evaluation.
        assertEquals(stored, storedEvaluatedAt(id));
        String shownLater = given().get("/api/v1/rollouts/" + id + "/gates").then().statusCode(200)
                .body("[0].status", equalTo("PASS")).extract().path("[0].evaluatedAt");
        assertTrue(Instant.parse(shownLater).isAfter(Instant.parse(shownFirst)), shownFirst + " then " + shownLater);
    }

    @Test
    void theWatchReportsItsTicks() {
        watch.tick();
        Metrics.scrape().then().statusCode(200)
                .body(containsString("rollout_watch_tick_seconds_count"))
                .body(containsString("rollout_watch_rollouts "))
                .body(containsString("rollout_watch_gate_requests "))
                .body(containsString("rollout_watch_lag_seconds "))
                .body(containsString("rollout_watch_overruns_total"));
    }

    private Instant storedEvaluatedAt(String id) {
        return QuarkusTransaction.requiringNew().call(() -> Rows.instant(em.createNativeQuery(
                "select evaluated_at from gate_result where rollout_id = ?1").setParameter(1, UUID.fromString(id))
                .getSingleResult()));
    }
}
