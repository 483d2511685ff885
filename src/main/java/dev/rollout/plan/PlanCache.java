package dev.rollout.plan;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * Stored plan versions by id. A plan version is never changed once stored (a change is a new version,
 * and the entity is {@code @Immutable}), so a cached one can never be stale, on any instance: reads and
 * answers fetch the rollout's own row and take its plan from here, instead of joining the plan and
 * parsing its steps, gates and webhook (JSON) on every request. Bounded: emptied when full. The plans
 * are detached and shared between threads: callers read them, never change them, and never attach
 * them to an entity that is persisted (an entity instance belongs to one session at a time).
 */
@ApplicationScoped
public class PlanCache {

    /** Plan versions kept at most; far more than a fleet has in use. */
    static final int MAX_ENTRIES = 2000;

    private final EntityManager em;
    private final Map<Long, Plan> byId = new ConcurrentHashMap<>();

    public PlanCache(EntityManager em) {
        this.em = em;
    }

    /** The stored plan version with this id. */
    public Optional<Plan> byId(long id) {
        Plan plan = byId.get(id);
        if (plan == null) {
            plan = em.find(Plan.class, id);
            if (plan == null) {
                return Optional.empty();
            }
            em.detach(plan);
            if (byId.size() >= MAX_ENTRIES) {
                byId.clear();
            }
            byId.put(id, plan);
        }
        return Optional.of(plan);
    }
}
