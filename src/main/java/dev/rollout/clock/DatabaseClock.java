package dev.rollout.clock;

import java.time.Instant;
import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** Reads PostgreSQL's clock. statement_timestamp() rather than now(): a transaction that waited for a row lock
 *  must stamp the moment it acts, not the moment it began, or the next dwell would start early. */
@ApplicationScoped
public class DatabaseClock implements RolloutClock {

    private final EntityManager em;

    public DatabaseClock(EntityManager em) {
        this.em = em;
    }

    @Override
    public Instant now() {
        Object value = em.createNativeQuery("select statement_timestamp()").getSingleResult();
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("unexpected database time type " + value.getClass());
    }
}
