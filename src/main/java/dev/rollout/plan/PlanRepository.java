package dev.rollout.plan;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Plans: the {@link Plan} entity through Panache, plus the one native statement, the lock that numbers
 * versions.
 */
@ApplicationScoped
public class PlanRepository {

    private final EntityManager em;

    public PlanRepository(EntityManager em) {
        this.em = em;
    }

    /**
     * Serialises version numbering of one plan name until the transaction ends, so two creators never race
     * to the same version (a transaction-scoped advisory lock: there may be no row to lock yet).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockVersions(String name) {
        em.createNativeQuery("select pg_advisory_xact_lock(hashtext('plan:' || ?1))")
                .setParameter(1, name).getSingleResult();
    }

    public Optional<Plan> latest(String name) {
        return Plan.find("name = ?1 order by version desc", name).firstResultOptional();
    }

    public Optional<Plan> find(String name, int version) {
        return Plan.find("name = ?1 and version = ?2", name, version).firstResultOptional();
    }

    /**
     * The latest version of every plan whose name sorts after {@code after} (null: all; names are never empty), by
     * name, at most {@code max}.
     */
    public List<Plan> listLatest(String after, int max) {
        return em.createQuery("from Plan p where p.version = (select max(q.version) from Plan q where q.name = p.name) "
                + "and p.name > :after order by p.name", Plan.class)
                .setParameter("after", after == null ? "" : after).setMaxResults(max).getResultList();
    }

    /** The versions of a plan after {@code afterVersion}, oldest first, at most {@code max}. */
    public List<Plan> versions(String name, int afterVersion, int max) {
        return Plan.find("name = ?1 and version > ?2 order by version", name, afterVersion).range(0, max - 1).list();
    }
}
