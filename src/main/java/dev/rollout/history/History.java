package dev.rollout.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

import dev.rollout.wake.Topic;
import dev.rollout.wake.Wakeups;

import com.fasterxml.jackson.core.JsonProcessingException;
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
    private final EntityManager em;
    private final Wakeups wakeups;

    public History(Event<EventAppended> appended, Event<RefusalCoalesced> coalesced, RefusalRuns runs,
            ObjectMapper json, EntityManager em, Wakeups wakeups) {
        this.em = em;
        this.wakeups = wakeups;
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
        List<DeploymentEvent> rows = records.stream().map(record -> write(record, at)).toList();
        announce(rows);
        return rows;
    }

    /**
     * Wakes every instance's listeners of these rows (held advances, event streams) when this transaction
     * commits, never if it rolls back: one {@link Topic#EVENTS} notification per rollout, naming its newest row.
     * The one place events are announced, since every append comes through here.
     */
    private void announce(List<DeploymentEvent> rows) {
        Map<UUID, Long> newest = new java.util.LinkedHashMap<>();
        for (DeploymentEvent row : rows) {
            newest.merge(row.rolloutId, row.seq, Math::max);
        }
        wakeups.publishAll(Topic.EVENTS, newest.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList());
    }

    /**
     * As {@link #append} for the events of a change of many rollouts at once, all at {@code at}, in order:
     * the runs of repeated refusals they end are ended together ({@link RefusalRuns#recordsForAll}), the rows
     * are inserted as one JDBC batch, and {@link EventAppended} is fired for each, in order, in this same
     * transaction, as {@link #append} does. Refusals are not recorded this way (each may only be counted);
     * they go through {@link #append}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeploymentEvent> appendAll(List<HistoryEvent> events, Instant at) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<HistoryEvent> records = runs.recordsForAll(events);
        List<DeploymentEvent> rows = new ArrayList<>(records.size());
        for (HistoryEvent record : records) {
            DeploymentEvent row = new DeploymentEvent();
            row.rolloutId = record.rolloutId();
            row.at = at;
            row.action = record.action().wireName();
            row.fromPercentage = record.fromPercentage();
            row.toPercentage = record.toPercentage();
            row.actor = record.actor();
            row.reason = record.reason();
            row.details = json.convertValue(record.details(), JSON_OBJECT);
            rows.add(row);
        }
        em.flush(); // the changes the events describe go first, as with append
        em.unwrap(Session.class).doWork(connection -> insertAll(connection, rows));
        for (int i = 0; i < rows.size(); i++) {
            appended.fire(new EventAppended(rows.get(i), records.get(i).details()));
        }
        announce(rows);
        return rows;
    }

    /** Inserts {@code rows} as one JDBC batch and sets the sequence number the database gave each. */
    private void insertAll(Connection connection, List<DeploymentEvent> rows) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor, reason,
                    details) values (?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))""", new String[] {"seq"})) {
            for (DeploymentEvent row : rows) {
                insert.setObject(1, row.rolloutId);
                insert.setObject(2, OffsetDateTime.ofInstant(row.at, ZoneOffset.UTC));
                insert.setString(3, row.action);
                insert.setObject(4, row.fromPercentage, Types.DOUBLE);
                insert.setObject(5, row.toPercentage, Types.DOUBLE);
                insert.setString(6, row.actor);
                insert.setString(7, row.reason);
                insert.setString(8, jsonText(row.details));
                insert.addBatch();
            }
            insert.executeBatch();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                for (DeploymentEvent row : rows) {
                    if (!keys.next()) {
                        throw new SQLException("the database returned fewer sequence numbers than rows inserted");
                    }
                    row.seq = keys.getLong(1);
                }
            }
        }
    }

    private String jsonText(Map<String, Object> details) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
