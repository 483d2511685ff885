package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateKind;
import dev.rollout.gate.GateReport;
import dev.rollout.gate.GateResponse;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateStatus;
import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.support.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The batch entry point of the locked-change protocol ({@link RolloutChanges#changeAll}) when two batches
 * overlap: an action of one tick still running while the next tick (or another instance) decides from an
 * older look. The test owns the moment: the first batch stops inside its transaction, holding its locks,
 * until the test lets it go.
 */
@QuarkusTest
class BatchChangesTest {

    private static final GateReport FAILING = new GateReport(List.of(new GateResult("svc-up", GateKind.TARGET_UP,
            GateStatus.FAIL, "up is 0", Instant.now(), Duration.ZERO)));

    @Inject
    RolloutChanges changes;

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

    /** What the watch does with a violating rollout it saw at some version: violate, unless stale. */
    private static Decided<String> violate(RolloutChanges.Locked locked) {
        if (locked.changedSinceSeen()) {
            return Decided.nothing("stale");
        }
        return new Decided<>(locked.rollout().violate(FAILING, GateResponse.PAUSE, locked.now(),
                RolloutWatch.ACTOR, "test"), "violated");
    }

    @Test
    void twoOverlappingBatchesFromTheSameLookViolateEachRolloutOnce() throws Exception {
        String planName = createPlan(plan(unique("overlap"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        UUID a = UUID.fromString(startRollout(planName, unique("a")));
        UUID b = UUID.fromString(startRollout(planName, unique("b")));
        Map<UUID, Long> look = Map.of(a, version(a), b, version(b));

        CountDownLatch decided = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        CompletableFuture<Map<UUID, String>> first = CompletableFuture.supplyAsync(() -> changes.changeAll(look,
                locked -> {
                    Decided<String> d = violate(locked);
                    decided.countDown();
                    await(letGo);
                    return d;
                }));
        try {
            assertTrue(decided.await(30, TimeUnit.SECONDS), "the first batch decided");
            // The next tick decides from the same look while the first batch still holds its locks: it skips both.
            Map<UUID, String> second = changes.changeAll(look, BatchChangesTest::violate);
            assertEquals(Map.of(), second, "rollouts held by a running batch are skipped");
        } finally {
            letGo.countDown();
        }
        assertEquals(Map.of(a, "violated", b, "violated"), first.get(30, TimeUnit.SECONDS));
        // After the first batch committed, the old look is stale: nothing is applied a second time.
        assertEquals(Map.of(a, "stale", b, "stale"), changes.changeAll(look, BatchChangesTest::violate));

        for (UUID id : List.of(a, b)) {
            List<String> actions = Api.history(id.toString()).stream().map(e -> (String) e.get("action")).toList();
            assertEquals(List.of("started", "gate_violation", "paused"), actions, "history of " + id);
        }
    }

    @Test
    void aBatchAppendsEventsWithTheirSequenceAndEndsRunsOfRefusals() {
        String planName = createPlan(plan(unique("runs"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String id = startRollout(planName, unique("refused"));
        Api.advance(id).then().statusCode(200); // at 5 %, dwelling for an hour
        for (int i = 0; i < 3; i++) {
            Api.advance(id).then().statusCode(409); // one run of too-early refusals: the first recorded, two counted
        }
        UUID rollout = UUID.fromString(id);
        Map<UUID, String> done = changes.changeAll(Map.of(rollout, version(rollout)), BatchChangesTest::violate);
        assertEquals(Map.of(rollout, "violated"), done);

        List<Map<String, Object>> history = Api.history(id);
        List<String> actions = history.stream().map(e -> (String) e.get("action")).toList();
        assertEquals(List.of("started", "step", "advance_refused", "advance_refused", "gate_violation", "paused"),
                actions, "the run's summary comes before the batch's events");
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) history.get(3).get("details");
        assertEquals(2, ((Number) summary.get("repeats")).intValue());
        List<Long> seqs = history.stream().map(e -> ((Number) e.get("seq")).longValue()).toList();
        for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) > seqs.get(i - 1), "history in sequence: " + seqs);
        }
        assertEquals("PAUSED", Api.get(id).path("state"));
    }

    private long version(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select row_version from rollout where id = ?1").setParameter(1, id).getSingleResult()).longValue());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not let go");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
