package dev.rollout.plan;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
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

    /**
     * The plans with these ids, reading the ones not cached yet in one query (the watch asks for the
     * plans of the whole fleet at once). Inside a transaction.
     */
    public Map<Long, Plan> get(Collection<Long> ids) {
        List<Long> missing = ids.stream().distinct().filter(id -> !byId.containsKey(id)).toList();
        Map<Long, Plan> found = new HashMap<>();
        if (!missing.isEmpty()) {
            for (Plan plan : em.createQuery("from Plan p where p.id in ?1", Plan.class).setParameter(1, missing)
                    .getResultList()) {
                em.detach(plan);
                found.put(plan.id, plan);
            }
            if (byId.size() + found.size() > MAX_ENTRIES) {
                byId.clear();
            }
            byId.putAll(found);
        }
        for (Long id : ids) {
            Plan plan = byId.get(id);
            if (plan != null) {
                found.put(id, plan);
            }
        }
        return found;
    }

    /** The plan version with this id if it is cached: no database read (for callers that must not block). */
    public Optional<Plan> cached(long id) {
        return Optional.ofNullable(byId.get(id));
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
