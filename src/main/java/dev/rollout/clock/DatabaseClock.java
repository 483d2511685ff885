package dev.rollout.clock;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import dev.rollout.db.Rows;

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
        return Rows.instant(em.createNativeQuery("select statement_timestamp()").getSingleResult());
    }
}
