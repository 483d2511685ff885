package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.persistence.Column;
import jakarta.persistence.EntityManager;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.Transient;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.rollout.RolloutChanges.LockMode;
import dev.rollout.support.Api;
import dev.rollout.support.CountingSocketFactory;
import dev.rollout.support.CountingSocketFactory.Counted;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The shape of a change on the wire, counted at the driver's socket ({@link CountingSocketFactory}): a
 * transition is one statement that locks the row and reads the clock, one that writes the row, ends the run
 * of refusals and appends the history, the outbox row, the wake-up of the event's listeners, and the commit; a
 * repeated refused advance is a read and one statement that counts it (no row, so no wake-up). And what holds
 * them together: the {@code row_version} check, the outbox rows in the change's own transaction, nothing kept
 * of a change that fails, and every column of the row either written by a change or fixed at the start.
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
    RolloutService rollouts;

    @Inject
    RolloutWatch watch;

    @Inject
    DataSource dataSource;

    @Inject
    EntityManager em;

    @Inject
    RolloutRepository repository;

    @Inject
    dev.rollout.plan.PlanCache plans;

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
        // No pg_notify: the wake-up of every instance's held advances and event streams is sent after the
        // commit by the instance's notifier, so that notifying commits never queue behind each other.
        assertEquals("COMMIT", statements.get(3));
        assertTrue(statements.stream().noneMatch(statement -> statement.contains("pg_notify")), statements.toString());

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
    void aStartReadsTheClockWithItsLookAndAppendsItsEventInOneStatement() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        Counted<RolloutService.Answer> started = CountingSocketFactory.count(
                () -> rollouts.start(new StartRequest(plan, null, unique("target"), "v1"), "tester", null));

        List<String> statements = statements(started.sent().parsed);
        List<String> appends = statements.stream().filter(s -> s.contains("insert into deployment_state")).toList();
        assertEquals(1, appends.size(), statements.toString());
        assertTrue(appends.get(0).contains("delete from refusal_run"),
                "the started event goes with the end of the refusal run, as a change's events do: " + appends.get(0));
        assertTrue(statements.stream().noneMatch(s -> s.startsWith("delete from refusal_run")), statements.toString());
        assertEquals("COMMIT", statements.get(statements.size() - 1), statements.toString());
        List<String> clockReads = statements.stream().filter(s -> s.contains("statement_timestamp()")).toList();
        assertEquals(1, clockReads.size(), statements.toString());
        assertTrue(clockReads.get(0).contains("from rollout where target = $1"),
                "the clock is read with the look for the target's active rollout: " + clockReads.get(0));

        UUID id = ((RolloutService.Done) started.result()).rollout().id();
        List<Map<String, Object>> history = Api.history(id.toString());
        assertEquals(List.of("started"), history.stream().map(e -> e.get("action")).toList());
        long seq = ((Number) history.get(0).get("seq")).longValue();
        assertEquals(1, outbox(seq).size(), "its outbox row, in the start's transaction");
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

    @Test
    void everyColumnIsWrittenByAChangeOrFixedAtTheStart() {
        List<String> table = tableColumns();
        List<String> changed = RolloutRepository.CHANGED_COLUMNS;
        List<String> fixed = RolloutRepository.FIXED_COLUMNS;
        for (String column : changed) {
            assertFalse(fixed.contains(column), column + " is both changed and fixed");
        }
        Set<String> known = new TreeSet<>(changed);
        known.addAll(fixed);
        assertEquals(new TreeSet<>(table), known, "a column of the rollout table is either in the change's UPDATE "
                + "(RolloutRepository.CHANGED_COLUMNS and Fields) or never changes after the start (FIXED_COLUMNS); "
                + "a column in neither would be dropped by every change made without the session");

        List<String> components = new ArrayList<>();
        for (RecordComponent component : RolloutRepository.Fields.class.getRecordComponents()) {
            components.add(snake(component.getName()));
        }
        assertEquals(changed, components, "Fields, which decides whether a change writes the row, has the columns "
                + "the UPDATE writes, in its order");
        List<String> set = new ArrayList<>();
        Matcher assignment = Pattern.compile("(\\w+) = ").matcher(
                RolloutRepository.UPDATE.substring(0, RolloutRepository.UPDATE.indexOf(" where ")));
        while (assignment.find()) {
            set.add(assignment.group(1));
        }
        List<String> expected = new ArrayList<>(changed);
        expected.add("row_version");
        assertEquals(expected, set, RolloutRepository.UPDATE);
    }

    @Test
    void theChangeReadsEveryColumnTheEntityMaps() {
        Set<String> mapped = new TreeSet<>();
        for (Field field : Rollout.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || field.isSynthetic()
                    || field.getName().contains("$") || field.isAnnotationPresent(Transient.class)) {
                continue;
            }
            Column column = field.getAnnotation(Column.class);
            JoinColumn join = field.getAnnotation(JoinColumn.class);
            mapped.add(column != null && !column.name().isEmpty() ? column.name()
                    : join != null ? join.name() : snake(field.getName()));
        }
        assertEquals(new TreeSet<>(tableColumns()), mapped, "the entity maps every column of the table");
        Set<String> read = new TreeSet<>(List.of(RolloutRepository.COLUMNS.replaceAll("\\s+", "").split(",")));
        read.add("id"); // the query's parameter
        assertEquals(mapped, read, "forChange and snapshot read every column the entity maps");
        assertTrue(RolloutRepository.FOR_CHANGE.startsWith("select " + RolloutRepository.COLUMNS + ", "),
                RolloutRepository.FOR_CHANGE);
        assertTrue(RolloutRepository.SNAPSHOT.startsWith("select " + RolloutRepository.COLUMNS + " "),
                RolloutRepository.SNAPSHOT);
    }

    @Test
    void everyChangeableFieldGoesToItsColumnAndComesBack() {
        UUID id = UUID.fromString(startRollout(createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("target")));
        Instant base = Instant.parse("2031-02-03T04:05:06.123456Z");
        // A value unlike the start's in every changeable field (within the table's checks: the approval whole).
        changes.change(id, LockMode.WAIT, null, locked -> {
            Rollout r = locked.rollout();
            r.state = RolloutState.PAUSED;
            r.stepIndex = 0;
            r.currentPercentage = 12.5;
            r.stepEnteredAt = base.plusSeconds(1);
            r.dwellStartedAt = base.plusSeconds(2);
            r.earliestAdvanceAt = base.plusSeconds(3);
            r.finishedAt = base.plusSeconds(4);
            r.updatedAt = base.plusSeconds(5);
            r.violationOpen = true;
            r.approvedStep = 1;
            r.approvedBy = "approver";
            r.approvedAt = base.plusSeconds(6);
            r.approvalReason = "checked";
            r.holdStartedAt = base.plusSeconds(7);
            r.dwellHeldMicros = 1_234_567;
            r.shadowOpen = true;
            return Decided.nothing("written");
        }).orElseThrow();
        RolloutRepository.Fields expected = new RolloutRepository.Fields(RolloutState.PAUSED, 0, 12.5,
                base.plusSeconds(1), base.plusSeconds(2), base.plusSeconds(3), base.plusSeconds(4), base.plusSeconds(5),
                true, 1, "approver", base.plusSeconds(6), "checked", base.plusSeconds(7), 1_234_567, true);

        Rollout read = changes.change(id, LockMode.NO_LOCK, null, locked -> Decided.nothing(locked.rollout()))
                .orElseThrow();
        assertEquals(expected, RolloutRepository.Fields.of(read), "forChange reads back what changeWrite wrote");
        Rollout snapshot = repository.snapshot(id, plans::byId).orElseThrow();
        assertEquals(expected, RolloutRepository.Fields.of(snapshot), "and so does the snapshot");
        assertEquals(read.startedBy, snapshot.startedBy);
        assertTrue(read.startedBy != null && !read.startedBy.isEmpty(), "started_by is read: " + read.startedBy);

        // And the entity the session maps reads the same row.
        Rollout managed = QuarkusTransaction.requiringNew().call(() -> em.find(Rollout.class, id));
        assertEquals(expected, RolloutRepository.Fields.of(managed));
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

    private List<String> tableColumns() {
        List<String> columns = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select column_name from information_schema.columns
                 where table_schema = current_schema() and table_name = 'rollout' order by ordinal_position""");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                columns.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertTrue(columns.contains("row_version"), "the rollout table is found: " + columns);
        return columns;
    }

    /** {@code stepEnteredAt} as {@code step_entered_at}. */
    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
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
