package dev.rollout.rollout;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

import dev.rollout.history.EventAppended;

/**
 * Observes appended events after the outbox has written its rows (a later priority than the publisher's
 * default) and, only while a test has armed it, looks at what this transaction holds so far and then fails
 * the change: what is written alongside an event must go with it. Inert otherwise.
 */
@ApplicationScoped
public class FailingEventObserver {

    /** The outbox rows of the event, as seen inside its transaction when the observer failed it. */
    static final AtomicReference<Long> OUTBOX_ROWS_SEEN = new AtomicReference<>();
    static volatile boolean armed;

    private final EntityManager em;

    public FailingEventObserver(EntityManager em) {
        this.em = em;
    }

    void onAppended(@Observes @Priority(5000) EventAppended appended) {
        if (!armed) {
            return;
        }
        Number rows = (Number) em.createNativeQuery("select count(*) from event_outbox where event_seq = ?1")
                .setParameter(1, appended.event().seq).getSingleResult();
        OUTBOX_ROWS_SEEN.set(rows.longValue());
        throw new IllegalStateException("failed on purpose after the outbox rows of event " + appended.event().seq);
    }
}
