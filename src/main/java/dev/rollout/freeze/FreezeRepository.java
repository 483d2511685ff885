package dev.rollout.freeze;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.rollout.db.Rows;

/**
 * The freeze_window table (migration V15), in native SQL: a conditional insert (one freeze per name until it is lifted),
 * the lift, and reads; rows are mapped in {@link #freeze(Object[])}. Targets are stored as a text array and
 * passed joined by spaces, which no pattern contains.
 */
@ApplicationScoped
public class FreezeRepository {

    private static final String COLUMNS = "name, from_at, until_at, array_to_string(targets, ' '), reason, "
            + "created_at, created_by";

    private final EntityManager em;

    public FreezeRepository(EntityManager em) {
        this.em = em;
    }

    /** Inserts the freeze unless one of that name is not lifted; false when one is. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean insert(Freeze f) {
        return em.createNativeQuery("""
                insert into freeze_window (name, from_at, until_at, targets, reason, created_at, created_by)
                values (?1, ?2, ?3, string_to_array(cast(?4 as text), ' '), ?5, ?6, ?7)
                on conflict (name) where lifted_at is null do nothing""")
                .setParameter(1, f.name()).setParameter(2, f.from()).setParameter(3, f.until())
                .setParameter(4, f.targets() == null ? null : String.join(" ", f.targets()))
                .setParameter(5, f.reason()).setParameter(6, f.createdAt()).setParameter(7, f.createdBy())
                .executeUpdate() == 1;
    }

    /** Lifts the named freeze, if one is not lifted; the freeze as it was. */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public Optional<Freeze> lift(String name, Instant now, String actor) {
        List<Object[]> rows = em.createNativeQuery("update freeze_window set lifted_at = ?2, lifted_by = ?3 "
                + "where name = ?1 and lifted_at is null returning " + COLUMNS)
                .setParameter(1, name).setParameter(2, now).setParameter(3, actor).getResultList();
        return rows.stream().findFirst().map(FreezeRepository::freeze);
    }

    /** Up to {@code limit} freezes not lifted, by name, those after {@code afterName} when given. */
    @SuppressWarnings("unchecked")
    public List<Freeze> page(String afterName, int limit) {
        List<Object[]> rows = afterName == null
                ? em.createNativeQuery("select " + COLUMNS + " from freeze_window where lifted_at is null order by name limit ?1")
                        .setParameter(1, limit).getResultList()
                : em.createNativeQuery("select " + COLUMNS + " from freeze_window where lifted_at is null and name > ?2 "
                        + "order by name limit ?1").setParameter(1, limit).setParameter(2, afterName).getResultList();
        return rows.stream().map(FreezeRepository::freeze).toList();
    }

    /** Every freeze not lifted that has not ended at {@code now}: in force, or still to come. */
    @SuppressWarnings("unchecked")
    public List<Freeze> notEnded(Instant now) {
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from freeze_window "
                + "where lifted_at is null and until_at > ?1").setParameter(1, now).getResultList();
        return rows.stream().map(FreezeRepository::freeze).toList();
    }

    /** The row mapper, for {@link #COLUMNS}. */
    private static Freeze freeze(Object[] r) {
        String targets = (String) r[3];
        return new Freeze((String) r[0], Rows.instant(r[1]), Rows.instant(r[2]),
                targets == null ? null : List.of(targets.split(" ")), (String) r[4], Rows.instant(r[5]),
                (String) r[6]);
    }
}
