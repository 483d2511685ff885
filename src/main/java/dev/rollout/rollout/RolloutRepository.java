package dev.rollout.rollout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;

import javax.sql.DataSource;

import org.hibernate.Session;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;

import dev.rollout.db.ReadPool;
import dev.rollout.history.History;
import dev.rollout.plan.Plan;

/**
 * Reads of a rollout for a change, with or without its row lock (the only native SQL on the rollout
 * table), the plain row read that answers a GET, and the watch's read of the active fleet.
 */
@ApplicationScoped
public class RolloutRepository {

    private final EntityManager em;
    private final DataSource dataSource;
    private final ReadPool readPool;

    public RolloutRepository(EntityManager em, DataSource dataSource, ReadPool readPool) {
        this.em = em;
        this.dataSource = dataSource;
        this.readPool = readPool;
    }

    /** Takes the rollout's row lock for the rest of the transaction, waiting for any holder. */
    Optional<Rollout> lock(UUID id) {
        return first(em.createNativeQuery("select * from rollout where id = ?1 for update", Rollout.class)
                .setParameter(1, id).getResultList());
    }

    /**
     * Takes the row locks of {@code ids}, waiting for any holder, in id order (one order for every bulk
     * change, so they never deadlock one another); answers the ids of the rollouts that exist, in that order.
     */
    List<UUID> lockAll(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<?> locked = em.createNativeQuery("select id from rollout where id in (?1) order by id for update")
                .setParameter(1, ids).getResultList();
        return locked.stream().map(UUID.class::cast).toList();
    }

    /** Writes what the session holds and lets go of it: a bulk change keeps one rollout in memory at a time. */
    void release() {
        em.flush();
        em.clear();
    }

    /** Takes the row lock only if nobody holds it: another instance or a caller is acting on it right now. */
    Optional<Rollout> lockIfFree(UUID id) {
        return first(em.createNativeQuery("select * from rollout where id = ?1 for update skip locked", Rollout.class)
                .setParameter(1, id).getResultList());
    }

    /**
     * Takes the row locks of those of {@code ids} that nobody holds, in one statement, and answers those
     * rollouts (in id order); the others are left to their holders. Their plans are read first, in one
     * query, so that loading the rollouts finds them in the session instead of reading each plan apart.
     */
    List<Rollout> lockAllIfFree(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        em.createQuery("select p from Plan p where p.id in (select r.plan.id from Rollout r where r.id in :ids)",
                Plan.class).setParameter("ids", ids).getResultList();
        @SuppressWarnings("unchecked")
        List<Rollout> locked = em.createNativeQuery(
                "select * from rollout where id in (:ids) order by id for update skip locked", Rollout.class)
                .setParameter("ids", ids).getResultList();
        return locked;
    }

    /** Lets this transaction send its pending rollout updates to the database in JDBC batches of {@code size}. */
    void writeInBatchesOf(int size) {
        em.unwrap(Session.class).setJdbcBatchSize(size);
    }

    /** The committed rollout, without its lock. */
    Optional<Rollout> read(UUID id) {
        return Optional.ofNullable(em.find(Rollout.class, id));
    }

    /**
     * What the watch needs to know of an active rollout before checking its gates; {@code due} is whether
     * its dwell was over at the clock reading the read was made with.
     */
    public record Active(UUID id, long planId, RolloutState state, int stepIndex, int stepCount, boolean due,
            long rowVersion, boolean violationOpen, boolean holdOpen, boolean shadowOpen, Integer approvedStep,
            String target) {

        /** As {@link Rollout#awaitsApproval()}, with the rollout's plan. */
        public boolean awaitsApproval(Plan plan) {
            return RolloutRules.awaitsApproval(plan.needsApproval(stepIndex + 1), stepIndex, approvedStep);
        }
    }

    /** Rows fetched per round trip by {@link #active}, so that 100,000 rows are never all in flight at once. */
    private static final int ACTIVE_FETCH = 5_000;

    /**
     * Every active (PROGRESSING or PAUSED) rollout, in one query: the watch's only read per tick. Lean, as it
     * reads the whole active set: plain JDBC (no entity, no per-row conversion layer), fetched in chunks,
     * and the dwell compared with {@code now} (the clock's reading) in the database, so that no timestamp is
     * parsed per row.
     */
    List<Active> active(Instant now) {
        List<Active> active = new ArrayList<>();
        em.unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement read = connection.prepareStatement("""
                    select id, plan_id, state, step_index, step_count, earliest_advance_at <= ?, row_version,
                           violation_open, hold_started_at is not null, shadow_open, approved_step, target
                    from rollout where state in ('PROGRESSING', 'PAUSED')""")) {
                read.setFetchSize(ACTIVE_FETCH);
                read.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                try (ResultSet rows = read.executeQuery()) {
                    while (rows.next()) {
                        active.add(active(rows));
                    }
                }
            }
        });
        return active;
    }

    /** The row mapper of {@link #active}. */
    private static Active active(ResultSet row) throws SQLException {
        return new Active(row.getObject(1, UUID.class), row.getLong(2),
                "PAUSED".equals(row.getString(3)) ? RolloutState.PAUSED : RolloutState.PROGRESSING, row.getInt(4),
                row.getInt(5), row.getBoolean(6), row.getLong(7), row.getBoolean(8), row.getBoolean(9),
                row.getBoolean(10), row.getObject(11, Integer.class), row.getString(12));
    }

    /**
     * The committed rollout's own row, unmanaged, with its plan taken from {@code plans} by id: one
     * indexed row fetch in plain JDBC on a pooled connection (no session, no transaction, no query
     * translation), no join and no plan body to parse. For answers only: nothing is written from it.
     */
    Optional<Rollout> snapshot(UUID id, LongFunction<Optional<Plan>> plans) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SNAPSHOT)) {
            s.setObject(1, id);
            try (ResultSet row = s.executeQuery()) {
                return row.next() ? Optional.of(rollout(id, row, plans)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new PersistenceException("reading rollout " + id + " failed", e);
        }
    }

    /**
     * As {@link #snapshot}, on the read pool without blocking: the row arrives on the caller's event loop, read
     * together with those of the other requests waiting on it ({@link FreshReads}) by a statement sent after
     * this call.
     * {@code plans} answers the plan by id, at once when it is cached (see {@code RolloutService#read}).
     * The committed row at the time of the read, as {@link #snapshot}: nothing is cached here.
     */
    Uni<Optional<Rollout>> snapshotOnReadPool(UUID id, LongFunction<Uni<Plan>> plans) {
        FreshReads<Row> batches = onThisEventLoop();
        Uni<Row> read = batches != null ? batches.read(id)
                : readPool.query(SNAPSHOT_ON_READ_POOL, Tuple.of(id)).map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    return it.hasNext() ? it.next() : null;
                });
        return read.onItem().transformToUni(row -> {
            if (row == null) {
                return Uni.createFrom().item(Optional.<Rollout>empty());
            }
            Rollout r = rollout(id, row);
            return plans.apply(row.getLong(0)).map(plan -> {
                r.plan = plan;
                return Optional.of(r);
            });
        });
    }

    /** The batches of {@link #snapshotOnReadPool} of each event loop thread, used by that thread only. */
    private final ThreadLocal<FreshReads<Row>> batchesPerEventLoop = new ThreadLocal<>();

    /** The calling event loop's batches; null when the caller is not on an event loop. */
    private FreshReads<Row> onThisEventLoop() {
        if (!Context.isOnEventLoopThread()) {
            return null;
        }
        FreshReads<Row> batches = batchesPerEventLoop.get();
        if (batches == null) {
            batches = new FreshReads<>(ids -> readPool.query(SNAPSHOTS_ON_READ_POOL, Tuple.of(ids)),
                    row -> row.getUUID(SNAPSHOTS_ID_COLUMN));
            batchesPerEventLoop.set(batches);
        }
        return batches;
    }

    /** A rollout read for a change, and the database's {@code statement_timestamp()} of the statement that read it. */
    record ForChange(Rollout rollout, Instant statementTimestamp) {
    }

    /**
     * The rollout for a change, in one statement on the transaction's connection: the row lock as {@code mode}
     * says ({@code FOR UPDATE}, {@code FOR UPDATE SKIP LOCKED}, or none) and the database clock, read after
     * the lock was granted ({@code statement_timestamp()} is evaluated as the row is returned, so a wait for
     * the lock never shortens a dwell). Plain JDBC: the rollout is unmanaged, with its plan from {@code plans};
     * what a change does to it is written by {@link #changeWrite}. Empty when the rollout does not exist, or
     * is held by someone else under {@code SKIP_IF_LOCKED}.
     */
    Optional<ForChange> forChange(UUID id, RolloutChanges.LockMode mode, LongFunction<Optional<Plan>> plans) {
        String sql = switch (mode) {
            case WAIT -> FOR_CHANGE + " for update";
            case SKIP_IF_LOCKED -> FOR_CHANGE + " for update skip locked";
            case NO_LOCK -> FOR_CHANGE;
        };
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, id);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ForChange(rollout(id, row, plans), instant(row, CLOCK_COLUMN)));
            }
        } catch (SQLException e) {
            throw new PersistenceException("reading rollout " + id + " for a change failed", e);
        }
    }

    /** What a start looks at before it inserts: the target's active rollout, if any, and the database clock. */
    record ForStart(Optional<UUID> activeRolloutId, Instant statementTimestamp) {
    }

    /**
     * The target's active rollout (its id only, found by the partial unique index, whose predicate the
     * statement repeats literally so that the planner can use it) and {@code statement_timestamp()}, in one
     * statement on the transaction's connection: the clock costs no round trip of its own, as in
     * {@link #forChange}. The index itself refuses a racing start; this look spares that case a failed insert.
     */
    ForStart forStart(String target) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(FOR_START)) {
            s.setString(1, target);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                return new ForStart(Optional.ofNullable(row.getObject(1, UUID.class)), instant(row, 2));
            }
        } catch (SQLException e) {
            throw new PersistenceException("looking for the active rollout of target " + target + " failed", e);
        }
    }

    private static final String FOR_START = "select (select id from rollout where target = ? and state in ('"
            + RolloutState.PROGRESSING.name() + "', '" + RolloutState.PAUSED.name() + "') limit 1), "
            + "statement_timestamp()";

    /**
     * The fields a transition may change: what {@link #changeWrite} compares and writes, every column of the row
     * but those fixed at the start ({@link #FIXED_COLUMNS}). {@code ChangeStatementsTest} checks that the two
     * lists together name every column of the table, so a column added later cannot be silently dropped.
     */
    record Fields(RolloutState state, int stepIndex, double currentPercentage, Instant stepEnteredAt,
            Instant dwellStartedAt, Instant earliestAdvanceAt, Instant finishedAt, Instant updatedAt,
            boolean violationOpen, Integer approvedStep, String approvedBy, Instant approvedAt,
            String approvalReason, Instant holdStartedAt, long dwellHeldMicros, boolean shadowOpen) {

        static Fields of(Rollout r) {
            return new Fields(r.state, r.stepIndex, r.currentPercentage, r.stepEnteredAt, r.dwellStartedAt,
                    r.earliestAdvanceAt, r.finishedAt, r.updatedAt, r.violationOpen, r.approvedStep, r.approvedBy,
                    r.approvedAt, r.approvalReason, r.holdStartedAt, r.dwellHeldMicros, r.shadowOpen);
        }
    }

    /** The columns {@link #changeWrite} sets from {@link Fields}, in the order of its parameters. */
    static final List<String> CHANGED_COLUMNS = List.of("state", "step_index", "current_percentage",
            "step_entered_at", "dwell_started_at", "earliest_advance_at", "finished_at", "updated_at",
            "violation_open", "approved_step", "approved_by", "approved_at", "approval_reason", "hold_started_at",
            "dwell_held_micros", "shadow_open");

    /**
     * The columns no transition changes: set when the rollout starts ({@code row_version} is the version
     * {@link #changeWrite} checks and bumps itself).
     */
    static final List<String> FIXED_COLUMNS = List.of("id", "plan_id", "target", "version", "step_count",
            "started_at", "started_by", "row_version");

    /**
     * The row update of a rollout read by {@link #forChange} whose fields are no longer {@code before}: all of
     * them, {@code row_version} bumped, and only if it is still the version read (the same check as the
     * entity's {@code @Version}); sent by {@code History} in the statement that appends the change's events.
     * Null when nothing changed: no update, and {@code row_version} stays.
     */
    History.RowWrite changeWrite(Rollout r, Fields before) {
        Fields after = Fields.of(r);
        if (after.equals(before)) {
            return null;
        }
        List<Object> parameters = new ArrayList<>(CHANGED_COLUMNS.size() + 2);
        parameters.add(r.state.name());
        parameters.add(r.stepIndex);
        parameters.add(r.currentPercentage);
        parameters.add(offset(r.stepEnteredAt));
        parameters.add(offset(r.dwellStartedAt));
        parameters.add(offset(r.earliestAdvanceAt));
        parameters.add(offset(r.finishedAt));
        parameters.add(offset(r.updatedAt));
        parameters.add(r.violationOpen);
        parameters.add(r.approvedStep);
        parameters.add(r.approvedBy);
        parameters.add(offset(r.approvedAt));
        parameters.add(r.approvalReason);
        parameters.add(offset(r.holdStartedAt));
        parameters.add(r.dwellHeldMicros);
        parameters.add(r.shadowOpen);
        parameters.add(r.id);
        parameters.add(r.rowVersion);
        return new History.RowWrite(UPDATE, parameters);
    }

    static final String UPDATE = "update rollout set "
            + String.join(", ", CHANGED_COLUMNS.stream().map(column -> column + " = ?").toList())
            + ", row_version = row_version + 1 where id = ? and row_version = ?";

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The row mapper of {@link #SNAPSHOT} and {@link #FOR_CHANGE}: an unmanaged rollout, its plan from {@code plans}. */
    private static Rollout rollout(UUID id, ResultSet row, LongFunction<Optional<Plan>> plans) throws SQLException {
        Rollout r = rollout(id, new Columns() {
            @Override
            public String text(int column) throws SQLException {
                return row.getString(column);
            }

            @Override
            public Integer integer(int column) throws SQLException {
                return row.getObject(column, Integer.class);
            }

            @Override
            public long int8(int column) throws SQLException {
                return row.getLong(column);
            }

            @Override
            public double float8(int column) throws SQLException {
                return row.getDouble(column);
            }

            @Override
            public boolean bool(int column) throws SQLException {
                return row.getBoolean(column);
            }

            @Override
            public Instant instant(int column) throws SQLException {
                return RolloutRepository.instant(row, column);
            }
        });
        long planId = row.getLong(1);
        r.plan = plans.apply(planId).orElseThrow(() -> new IllegalStateException("rollout " + id
                + " names a plan that does not exist"));
        return r;
    }

    /**
     * The row mapper of {@link #snapshotOnReadPool}: as {@link #rollout(UUID, ResultSet, LongFunction)}, without the
     * plan (the client's columns count from 0, JDBC's from 1).
     */
    private static Rollout rollout(UUID id, Row row) {
        try {
            return rollout(id, new Columns() {
                @Override
                public String text(int column) {
                    return row.getString(column - 1);
                }

                @Override
                public Integer integer(int column) {
                    return row.getInteger(column - 1);
                }

                @Override
                public long int8(int column) {
                    return row.getLong(column - 1);
                }

                @Override
                public double float8(int column) {
                    return row.getDouble(column - 1);
                }

                @Override
                public boolean bool(int column) {
                    return row.getBoolean(column - 1);
                }

                @Override
                public Instant instant(int column) {
                    OffsetDateTime value = row.getOffsetDateTime(column - 1);
                    return value == null ? null : value.toInstant();
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException(e); // the client's getters throw none
        }
    }

    /** The columns of {@link #COLUMNS} in a row of either client, numbered from 1 as in JDBC. */
    private interface Columns {
        String text(int column) throws SQLException;

        Integer integer(int column) throws SQLException;

        long int8(int column) throws SQLException;

        double float8(int column) throws SQLException;

        boolean bool(int column) throws SQLException;

        Instant instant(int column) throws SQLException;
    }

    /** The one mapping of {@link #COLUMNS} to a rollout, for both clients; the plan (column 1) is the caller's. */
    private static Rollout rollout(UUID id, Columns row) throws SQLException {
        Rollout r = new Rollout();
        r.target = row.text(2);
        r.version = row.text(3);
        r.state = RolloutState.valueOf(row.text(4));
        r.stepIndex = row.integer(5);
        r.stepCount = row.integer(6);
        r.currentPercentage = row.float8(7);
        r.stepEnteredAt = row.instant(8);
        r.dwellStartedAt = row.instant(9);
        r.earliestAdvanceAt = row.instant(10);
        r.startedAt = row.instant(11);
        r.finishedAt = row.instant(12);
        r.updatedAt = row.instant(13);
        r.rowVersion = row.int8(14);
        r.violationOpen = row.bool(15);
        r.startedBy = row.text(16);
        r.approvedStep = row.integer(17);
        r.approvedBy = row.text(18);
        r.approvedAt = row.instant(19);
        r.approvalReason = row.text(20);
        r.holdStartedAt = row.instant(21);
        r.dwellHeldMicros = row.int8(22);
        r.shadowOpen = row.bool(23);
        r.id = id;
        return r;
    }

    /** The columns of the row mapper {@link #rollout}, in its order (the id is the query's parameter). */
    static final String COLUMNS = """
            plan_id, target, version, state, step_index, step_count, current_percentage, step_entered_at,
            dwell_started_at, earliest_advance_at, started_at, finished_at, updated_at, row_version,
            violation_open, started_by, approved_step, approved_by, approved_at, approval_reason,
            hold_started_at, dwell_held_micros, shadow_open""";

    static final String SNAPSHOT = "select " + COLUMNS + " from rollout where id = ?";

    /** {@link #SNAPSHOT} with the parameter as the PostgreSQL client writes it. */
    static final String SNAPSHOT_ON_READ_POOL = "select " + COLUMNS + " from rollout where id = $1";

    /** The rollout's columns as {@link #rollout(UUID, Row)} maps them, then the id (to match rows to requests). */
    static final String SNAPSHOTS_ON_READ_POOL = "select " + COLUMNS + ", id from rollout where id = any($1)";
    private static final int SNAPSHOTS_ID_COLUMN = 23;

    /** Where {@link #FOR_CHANGE} answers the clock: after the rollout's columns. */
    private static final int CLOCK_COLUMN = 24;

    static final String FOR_CHANGE = "select " + COLUMNS + ", statement_timestamp() from rollout where id = ?";

    private static Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Optional<Rollout> first(List<?> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of((Rollout) rows.get(0));
    }
}
