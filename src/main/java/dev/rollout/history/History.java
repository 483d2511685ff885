package dev.rollout.history;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Appends events to deployment_state. Always called inside the transaction that makes the change the
 * event describes, so the history and the rollout can never disagree.
 */
@ApplicationScoped
public class History {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final Event<EventAppended> appended;
    private final ObjectMapper json;

    public History(Event<EventAppended> appended, ObjectMapper json) {
        this.appended = appended;
        this.json = json;
    }

    /** Appends {@code event} at {@code at} (the database clock's reading in this transaction). */
    @Transactional(Transactional.TxType.MANDATORY)
    public DeploymentEvent append(HistoryEvent event, Instant at) {
        DeploymentEvent row = new DeploymentEvent();
        row.rolloutId = event.rolloutId();
        row.at = at;
        row.action = event.action().wireName();
        row.fromPercentage = event.fromPercentage();
        row.toPercentage = event.toPercentage();
        row.actor = event.actor();
        row.reason = event.reason();
        row.details = json.convertValue(event.details(), JSON_OBJECT);
        row.persist();
        appended.fire(new EventAppended(row, event.details())); // observers write in this same transaction
        return row;
    }

    public List<DeploymentEvent> of(UUID rolloutId) {
        return DeploymentEvent.find("rolloutId = ?1 order by seq", rolloutId).list();
    }
}
