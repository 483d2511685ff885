package dev.rollout.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import dev.rollout.clock.RolloutClock;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The controller's own moves: AUTOMATIC rollouts whose dwell is over advance one step, and rollouts of
 * either mode whose final bake is over complete. Each rollout is claimed with FOR UPDATE SKIP LOCKED in
 * its own transaction, so several instances on one database never act on the same rollout at once.
 */
@ApplicationScoped
public class AutomaticAdvancer {

    private static final Logger LOG = Logger.getLogger(AutomaticAdvancer.class);
    static final String ACTOR = "controller";
    private static final int BATCH = 200;

    private final EntityManager em;
    private final RolloutClock clock;
    private final RolloutService rollouts;
    private final ControllerConfig config;

    public AutomaticAdvancer(EntityManager em, RolloutClock clock, RolloutService rollouts, ControllerConfig config) {
        this.em = em;
        this.clock = clock;
        this.rollouts = rollouts;
        this.config = config;
    }

    /** One pass over every due rollout; returns how many it moved. */
    public int runOnce() {
        List<UUID> due = QuarkusTransaction.requiringNew().call(this::dueRollouts);
        int moved = 0;
        for (UUID id : due) {
            try {
                if (QuarkusTransaction.requiringNew().call(() -> advanceIfStillDue(id))) {
                    moved++;
                }
            } catch (RuntimeException e) {
                LOG.warnf("automatic advance of rollout %s failed, will retry next tick: %s", id, e.toString());
            }
        }
        return moved;
    }

    @SuppressWarnings("unchecked")
    private List<UUID> dueRollouts() {
        return em.createNativeQuery("""
                select r.id from rollout r join plan p on p.id = r.plan_id
                where r.state = 'PROGRESSING' and r.earliest_advance_at <= ?1
                  and (p.mode = 'AUTOMATIC' or r.step_index = r.step_count - 1)
                order by r.earliest_advance_at limit ?2""", UUID.class)
                .setParameter(1, clock.now()).setParameter(2, BATCH).getResultList();
    }

    private boolean advanceIfStillDue(UUID id) {
        Optional<Rollout> claimed = rollouts.tryLock(id);
        if (claimed.isEmpty()) {
            return false; // another instance or a caller holds it right now
        }
        Rollout rollout = claimed.get();
        boolean automatic = rollout.plan.mode == dev.rollout.plan.Mode.AUTOMATIC;
        if (!automatic && rollout.stepIndex != rollout.stepCount - 1) {
            return false;
        }
        Instant now = clock.now();
        AdvanceDecision decision = RolloutService.decide(rollout, now);
        if (decision instanceof RolloutRules.Enter || decision instanceof RolloutRules.Complete) {
            rollouts.apply(rollout, decision, now, ACTOR, Map.of("instance", config.instanceName()));
            return true;
        }
        return false;
    }
}
