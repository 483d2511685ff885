package dev.rollout.plan;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Plans by id, kept once read. A stored plan version never changes (a change is a new version), so the
 * watch reads each plan once, not once per rollout per tick. Holds detached entities: read them only.
 */
@ApplicationScoped
public class PlanCache {

    private final Map<Long, Plan> byId = new ConcurrentHashMap<>();

    /** The plans with these ids, reading the ones not seen yet in one query. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<Long, Plan> get(Collection<Long> ids) {
        List<Long> missing = ids.stream().distinct().filter(id -> !byId.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            Plan.<Plan>list("id in ?1", missing).forEach(plan -> byId.put(plan.id, plan));
        }
        return ids.stream().distinct().filter(byId::containsKey)
                .collect(Collectors.toMap(id -> id, byId::get));
    }
}
