package dev.rollout.rollout;

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

import org.hibernate.Session;

import dev.rollout.db.Rows;
import dev.rollout.plan.Plan;

/**
 * Reads of a rollout for a change, with or without its row lock (the only native SQL on the rollout
 * table), the plain row read that answers a GET, and the watch's read of the active fleet.
 */
@ApplicationScoped
public class RolloutRepository {

    private final EntityManager em;

    public RolloutRepository(EntityManager em) {
        this.em = em;
    }

    /** Takes the rollout's row lock for the rest of the transaction, waiting for any holder. */
    Optional<Rollout> lock(UUID id) {
        return first(em.createNativeQuery("select * from rollout where id = ?1 for update", Rollout.class)
                .setParameter(1, id).getResultList());
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
            long rowVersion, boolean violationOpen) {
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
                           violation_open
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
                row.getInt(5), row.getBoolean(6), row.getLong(7), row.getBoolean(8));
    }

    /**
     * The committed rollout's own row, unmanaged, with its plan taken from {@code plans} by id: one
     * indexed row fetch, no join and no plan body to parse. For answers only: nothing is written from it.
     */
    Optional<Rollout> snapshot(UUID id, LongFunction<Optional<Plan>> plans) {
        List<Object[]> rows = em.createQuery("""
                select r.plan.id, r.target, r.version, r.state, r.stepIndex, r.stepCount, r.currentPercentage,
                       r.stepEnteredAt, r.dwellStartedAt, r.earliestAdvanceAt, r.startedAt, r.finishedAt,
                       r.updatedAt, r.rowVersion
                from Rollout r where r.id = ?1""", Object[].class).setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        Rollout r = new Rollout();
        r.id = id;
        r.plan = plans.apply((Long) row[0]).orElseThrow(() -> new IllegalStateException("rollout " + id
                + " names a plan that does not exist"));
        r.target = (String) row[1];
        r.version = (String) row[2];
        r.state = (RolloutState) row[3];
        r.stepIndex = (Integer) row[4];
        r.stepCount = (Integer) row[5];
        r.currentPercentage = (Double) row[6];
        r.stepEnteredAt = (Instant) row[7];
        r.dwellStartedAt = (Instant) row[8];
        r.earliestAdvanceAt = (Instant) row[9];
        r.startedAt = (Instant) row[10];
        r.finishedAt = (Instant) row[11];
        r.updatedAt = (Instant) row[12];
        r.rowVersion = (Long) row[13];
        return Optional.of(r);
    }

    private static Optional<Rollout> first(List<?> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of((Rollout) rows.get(0));
    }
}
