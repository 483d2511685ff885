package dev.rollout.rollout;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** Reads of a rollout for a change, with or without its row lock: the only native SQL on the rollout table. */
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

    /** The committed rollout, without its lock. */
    Optional<Rollout> read(UUID id) {
        return Optional.ofNullable(em.find(Rollout.class, id));
    }

    private static Optional<Rollout> first(List<?> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of((Rollout) rows.get(0));
    }
}
