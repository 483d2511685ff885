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
 * event describes, so the history and the rollout can never disagree. Repeated refusals are coalesced
 * here, by {@link RefusalRuns}: the one place that decides which events become rows.
 */
@ApplicationScoped
public class History {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final Event<EventAppended> appended;
    private final Event<RefusalCoalesced> coalesced;
    private final RefusalRuns runs;
    private final ObjectMapper json;

    public History(Event<EventAppended> appended, Event<RefusalCoalesced> coalesced, RefusalRuns runs,
            ObjectMapper json) {
        this.appended = appended;
        this.coalesced = coalesced;
        this.runs = runs;
        this.json = json;
    }

    /**
     * Records {@code event} at {@code at} (the database clock's reading in this transaction) and returns the
     * rows appended, in order. Usually that is the event's own row; an event that ends a run of repeated
     * refusals is preceded by the run's summary; a refusal that repeats the run's last one is only counted
     * (no row, or the run's periodic summary) and announced as a {@link RefusalCoalesced}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeploymentEvent> append(HistoryEvent event, Instant at) {
        List<HistoryEvent> records = runs.recordsFor(event, at);
        if (!records.contains(event)) {
            coalesced.fire(new RefusalCoalesced(event, at));
        }
        return records.stream().map(record -> write(record, at)).toList();
    }

    private DeploymentEvent write(HistoryEvent event, Instant at) {
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

    /** At most {@code max} events of a rollout with a seq above {@code afterSeq}, oldest first. */
    public List<DeploymentEvent> page(UUID rolloutId, long afterSeq, int max) {
        return DeploymentEvent.<DeploymentEvent>find("rolloutId = ?1 and seq > ?2 order by seq", rolloutId, afterSeq)
                .range(0, max - 1).list();
    }
}
