package dev.rollout.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

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

    /** The committed rollout, without its lock. */
    Optional<Rollout> read(UUID id) {
        return Optional.ofNullable(em.find(Rollout.class, id));
    }

    /** What the watch needs to know of an active rollout before checking its gates. */
    public record Active(UUID id, long planId, RolloutState state, int stepIndex, int stepCount,
            Instant earliestAdvanceAt, long rowVersion, boolean violationOpen) {
    }

    /** Every active (PROGRESSING or PAUSED) rollout, in one query: the watch's only read per tick. */
    List<Active> active() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select id, plan_id, state, step_index, step_count, earliest_advance_at, row_version, violation_open
                from rollout where state in ('PROGRESSING', 'PAUSED')""").getResultList();
        return rows.stream().map(RolloutRepository::active).toList();
    }

    /** The row mapper of {@link #active()}. */
    private static Active active(Object[] row) {
        return new Active((UUID) row[0], ((Number) row[1]).longValue(), RolloutState.valueOf((String) row[2]),
                ((Number) row[3]).intValue(), ((Number) row[4]).intValue(), Rows.instant(row[5]),
                ((Number) row[6]).longValue(), (Boolean) row[7]);
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
