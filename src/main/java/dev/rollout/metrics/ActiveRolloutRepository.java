package dev.rollout.metrics;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import dev.rollout.db.Rows;
import dev.rollout.rollout.RolloutState;

/** Reads the active rollouts with their plans for the gauges, in one native query with one row mapper. */
@ApplicationScoped
public class ActiveRolloutRepository {

    private final EntityManager em;

    public ActiveRolloutRepository(EntityManager em) {
        this.em = em;
    }

    /**
     * Every PROGRESSING or PAUSED rollout, its last change being its last update; it awaits approval when its
     * plan's next step needs one and the rollout holds none for that step (as {@code Rollout.awaitsApproval}).
     */
    public List<RolloutGauges.Snapshot> active() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select r.id, p.name, r.target, p.mode, r.state, r.current_percentage, r.dwell_started_at,
                       r.earliest_advance_at, r.updated_at,
                       coalesce((p.steps -> (r.step_index + 1) ->> 'approval')::boolean, false)
                           and r.approved_step is distinct from r.step_index + 1
                  from rollout r join plan p on p.id = r.plan_id
                 where r.state in ('PROGRESSING', 'PAUSED')""").getResultList();
        return rows.stream().map(ActiveRolloutRepository::snapshot).toList();
    }

    private static RolloutGauges.Snapshot snapshot(Object[] r) {
        return new RolloutGauges.Snapshot((UUID) r[0], (String) r[1], (String) r[2], (String) r[3],
                RolloutState.valueOf((String) r[4]), ((Number) r[5]).doubleValue(), Rows.instant(r[6]),
                Rows.instant(r[7]), Rows.instant(r[8]), (Boolean) r[9]);
    }
}
