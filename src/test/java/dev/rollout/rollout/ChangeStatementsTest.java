package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.rollout.RolloutChanges.LockMode;
import dev.rollout.support.Api;
import dev.rollout.support.CountingSocketFactory;
import dev.rollout.support.CountingSocketFactory.Counted;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The shape of a change on the wire, counted at the driver's socket ({@link CountingSocketFactory}): a
 * transition is one statement that locks the row and reads the clock, one that writes the row, ends the run
 * of refusals and appends the history, the outbox row, and the commit; a repeated refused advance is a read
 * and one statement that counts it. And what holds them together: the {@code row_version} check, the outbox
 * rows in the change's own transaction, and nothing kept of a change that fails.
 */
@QuarkusTest
@TestProfile(ChangeStatementsTest.Profile.class)
class ChangeStatementsTest {

    /** Counts what the driver sends; statements always parsed (so their text is seen); Grafana's channel on. */
    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.jdbc.additional-jdbc-properties.socketFactory",
                    CountingSocketFactory.class.getName(),
                    "quarkus.datasource.jdbc.additional-jdbc-properties.prepareThreshold", "0",
                    // Queued, never delivered during the test: the outbox rows are what is looked at.
                    "rollout.grafana.url", "http://127.0.0.1:9",
                    "rollout.grafana.token", "change-statements-test-token",
                    "rollout.outbox.interval", "1h");
        }
    }

    @Inject
    RolloutChanges changes;

    @Inject
    RolloutWatch watch;

    @Inject
    DataSource dataSource;

    @Inject
    EntityManager em;

    @BeforeEach
    void holdWatch() {
        watch.hold();
    }

    @AfterEach
    void releaseWatch() {
        FailingEventObserver.armed = false;
        watch.release();
    }

    @Test
    void aTransitionIsTwoStatementsTheOutboxRowAndTheCommit() {
        UUID id = UUID.fromString(startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target")));
        long versionBefore = rowVersion(id);
        Api.get(id.toString()).then().statusCode(200); // its plan is now in the plan cache, as in a steady state

        Counted<String> paused = CountingSocketFactory.count(() -> changes.change(id, LockMode.WAIT, null,
                locked -> Decided.of(locked.rollout().pause(locked.now(), "tester", "shape"), "paused")).orElseThrow());

        List<String> statements = statements(paused.sent().parsed);
        assertEquals(4, paused.sent().roundTrips, "lock and clock, write, outbox, commit: " + paused.sent());
        assertEquals(5, paused.sent().executes, "the same and BEGIN: " + paused.sent());
        assertEquals(4, statements.size(), paused.sent().toString());
        assertTrue(statements.get(0).contains("for update") && statements.get(0).contains("statement_timestamp()"),
                "the lock statement reads the clock: " + statements.get(0));
        String write = statements.get(1);
        assertTrue(write.startsWith("with change as (update rollout set") && write.contains("and row_version = $")
                && write.contains("delete from refusal_run") && write.contains("insert into deployment_state"),
                "one statement writes the row with its version check, ends the run and appends: " + write);
        assertTrue(statements.get(2).startsWith("insert into event_outbox"), statements.get(2));
        assertEquals("COMMIT", statements.get(3));

        assertEquals("PAUSED", state(id));
        assertEquals(versionBefore + 1, rowVersion(id), "the version moves by one, as with every change");
        List<Map<String, Object>> history = Api.history(id.toString());
        Map<String, Object> last = history.get(history.size() - 1);
        assertEquals("paused", last.get("action"));
        assertEquals("shape", last.get("reason"));
        long seq = ((Number) last.get("seq")).longValue();
        assertEquals(List.of("grafana: paused at 0 % by tester. Reason: shape"), outbox(seq).stream()
                .map(text -> text.replaceFirst("^(\\w+): .*?: ", "$1: ")).toList(),
                "its outbox row, with the annotation text of its own history row");
    }

    @Test
    void aRepeatedRefusalIsALookAndOneStatement() {
        UUID id = UUID.fromString(startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target")));
        Api.advance(id.toString()).then().statusCode(200);
        refuse(id); // the run's first refusal, recorded
        int rowsBefore = Api.history(id.toString()).size();

        Counted<String> counted = CountingSocketFactory.count(() -> refuse(id));

        List<String> statements = statements(counted.sent().parsed);
        assertEquals(3, counted.sent().roundTrips, "look and clock, count, commit: " + counted.sent());
        assertEquals(4, counted.sent().executes, "the same and BEGIN: " + counted.sent());
        assertEquals(3, statements.size(), counted.sent().toString());
        assertTrue(!statements.get(0).contains("for update") && statements.get(0).contains("statement_timestamp()"),
                "a look takes no lock: " + statements.get(0));
        assertTrue(statements.get(1).contains("for key share")
                && statements.get(1).contains("on conflict (rollout_id) do update"), statements.get(1));
        assertEquals(rowsBefore, Api.history(id.toString()).size(), "only counted");
        assertEquals(1, repeats(id));

        // The next transition ends the run: its summary first, then the event, each with its outbox row.
        changes.change(id, LockMode.WAIT, null,
                locked -> Decided.of(locked.rollout().pause(locked.now(), "tester", "after refusals"), "paused"));
        List<Map<String, Object>> history = Api.history(id.toString());
        Map<String, Object> summary = history.get(history.size() - 2);
        Map<String, Object> pause = history.get(history.size() - 1);
        assertEquals("advance_refused", summary.get("action"));
        assertEquals(1, ((Number) ((Map<?, ?>) summary.get("details")).get("repeats")).intValue());
        assertEquals("paused", pause.get("action"));
        assertEquals(1, outbox(((Number) summary.get("seq")).longValue()).size());
        assertEquals(1, outbox(((Number) pause.get("seq")).longValue()).size());
        assertEquals(-1, repeats(id), "the run is over");
    }

    @Test
    void aWriteOnAnotherVersionKeepsNothing() {
        UUID id = UUID.fromString(startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target")));
        long versionBefore = rowVersion(id);
        int rowsBefore = Api.history(id.toString()).size();
        long outboxBefore = outboxRows(id);

        RuntimeException failed = assertThrows(RuntimeException.class, () -> changes.change(id, LockMode.WAIT, null,
                locked -> {
                    // The row moves on behind the change's back (in its own transaction: nothing else can,
                    // under the lock), so the version the change read is no longer the row's.
                    em.createNativeQuery("update rollout set row_version = row_version + 1 where id = ?1")
                            .setParameter(1, id).executeUpdate();
                    return Decided.of(locked.rollout().pause(locked.now(), "tester", "stale"), "paused");
                }));

        assertTrue(causedBy(failed, OptimisticLockException.class), "refused by the version check: " + failed);
        assertEquals("PROGRESSING", state(id));
        assertEquals(versionBefore, rowVersion(id), "rolled back, the test's own bump included");
        assertEquals(rowsBefore, Api.history(id.toString()).size(), "no history row");
        assertEquals(outboxBefore, outboxRows(id), "no outbox row");
    }

    @Test
    void theOutboxRowsAreWrittenInTheChangesTransactionAndGoWithIt() {
        UUID id = UUID.fromString(startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target")));
        long versionBefore = rowVersion(id);
        int rowsBefore = Api.history(id.toString()).size();
        long outboxBefore = outboxRows(id);
        FailingEventObserver.OUTBOX_ROWS_SEEN.set(null);
        FailingEventObserver.armed = true;

        assertThrows(IllegalStateException.class, () -> changes.change(id, LockMode.WAIT, null,
                locked -> Decided.of(locked.rollout().pause(locked.now(), "tester", "to fail"), "paused")));
        FailingEventObserver.armed = false;

        assertEquals(1L, FailingEventObserver.OUTBOX_ROWS_SEEN.get(), "the outbox row was there, in the transaction");
        assertEquals("PROGRESSING", state(id));
        assertEquals(versionBefore, rowVersion(id));
        assertEquals(rowsBefore, Api.history(id.toString()).size(), "no history row");
        assertEquals(outboxBefore, outboxRows(id), "no outbox row");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private String refuse(UUID id) {
        return changes.change(id, LockMode.NO_LOCK, null, locked -> {
            RolloutRefused refusal = new RolloutRefused(Refusal.TOO_EARLY, "too early", Map.of());
            refusal.about(id);
            return Decided.of(locked.rollout().refused(refusal, "tester"), "refused");
        }).orElseThrow();
    }

    /** The statements sent, without the transaction's BEGIN (sent with the first statement). */
    private static List<String> statements(List<String> parsed) {
        List<String> statements = new ArrayList<>();
        for (String sql : parsed) {
            String text = sql.strip().replaceAll("\\s+", " ");
            if (!text.equals("(simple) BEGIN")) {
                statements.add(text);
            }
        }
        return statements;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private String state(UUID id) {
        return (String) one("select state from rollout where id = ?", id);
    }

    private long rowVersion(UUID id) {
        return ((Number) one("select row_version from rollout where id = ?", id)).longValue();
    }

    private long outboxRows(UUID id) {
        return ((Number) one("select count(*) from event_outbox where rollout_id = ?", id)).longValue();
    }

    /** The open run's count of repeats, -1 when there is none. */
    private long repeats(UUID id) {
        Object repeats = one("select coalesce((select repeats from refusal_run where rollout_id = ?), -1)", id);
        return ((Number) repeats).longValue();
    }

    /** The outbox rows of an event, as "channel: annotation text". */
    private List<String> outbox(long seq) {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "select channel, payload ->> 'text' from event_outbox where event_seq = ? order by id")) {
            s.setLong(1, seq);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getString(1) + ": " + r.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private Object one(String sql, UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getObject(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
