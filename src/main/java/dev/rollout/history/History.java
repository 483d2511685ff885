package dev.rollout.history;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

/**
 * Appends events to deployment_state. Always called inside the transaction that makes the change the
 * event describes, so the history and the rollout can never disagree.
 */
@ApplicationScoped
public class History {

    private final Event<EventAppended> appended;

    public History(Event<EventAppended> appended) {
        this.appended = appended;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public DeploymentEvent append(UUID rolloutId, Instant at, Action action, Double from, Double to, String actor,
            String reason, Map<String, Object> details) {
        DeploymentEvent event = new DeploymentEvent();
        event.rolloutId = rolloutId;
        event.at = at;
        event.action = action.wireName();
        event.fromPercentage = from;
        event.toPercentage = to;
        event.actor = actor;
        event.reason = reason;
        event.details = details == null ? Map.of() : details;
        event.persist();
        appended.fire(new EventAppended(event)); // observers write in this same transaction
        return event;
    }

    public List<DeploymentEvent> of(UUID rolloutId) {
        return DeploymentEvent.find("rolloutId = ?1 order by seq", rolloutId).list();
    }
}
