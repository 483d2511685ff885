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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;

import org.hibernate.Session;
import org.hibernate.jdbc.Work;

import dev.rollout.wake.Topic;
import dev.rollout.wake.Wakeups;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.rollout.Rollout;

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
    private final DataSource dataSource;
    private final Wakeups wakeups;

    public History(Event<EventAppended> appended, Event<RefusalCoalesced> coalesced, RefusalRuns runs,
            ObjectMapper json, EntityManager em, DataSource dataSource, Wakeups wakeups) {
        this.em = em;
        this.dataSource = dataSource;
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
        return append(event, at, null);
    }

    /**
     * As {@link #append(HistoryEvent, Instant)}; {@code rollout} is the rollout as the event leaves it, for the
     * observers (null: they read it from the session).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeploymentEvent> append(HistoryEvent event, Instant at, Rollout rollout) {
        List<DeploymentEvent> rows = record(event, at, rollout);
        announce(rows);
        return rows;
    }

    /** As {@link #append(HistoryEvent, Instant, Rollout)}, without announcing the rows: the caller does. */
    private List<DeploymentEvent> record(HistoryEvent event, Instant at, Rollout rollout) {
        List<HistoryEvent> records = runs.recordsFor(event, at);
        if (!records.contains(event)) {
            coalesced.fire(new RefusalCoalesced(event, at, rollout));
        }
        return records.stream().map(record -> write(record, at, rollout)).toList();
    }

    /**
     * A change's own write of its row: one data-modifying statement with {@code ?} parameters (bound with
     * {@code setObject}, in order) that must affect exactly one row; none means the row is no longer the
     * version the change read.
     */
    public record RowWrite(String sql, List<Object> parameters) {
    }

    /**
     * What a change of one rollout made without the session ({@code RolloutChanges}) writes, at {@code at}: its
     * row update ({@code write}, or null when the rollout did not change) and its events, in as few statements as
     * the events allow. Events other than refusals go with the update in one statement: the update, the end of
     * the rollout's run of repeated refusals and the history rows, returning their {@code seq}. Only when that
     * run had uncounted calls does its summary, which must come first, cost a second statement (the rows are
     * then inserted after it). Refusals are recorded as {@link #append} records them, one by one, after the
     * update, since a refusal may only be counted. {@link EventAppended} is fired for each row in order, in this
     * transaction, with {@code rollout} as the event leaves it, and the rows are announced once for the change,
     * as {@link #append} does (one {@link Topic#EVENTS} wake-up naming the newest row, sent on commit). Throws
     * {@link OptimisticLockException} when the update found the row at another version: nothing of the change
     * is then kept.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeploymentEvent> appendChange(RowWrite write, List<HistoryEvent> events, Instant at, Rollout rollout) {
        boolean refusals = false;
        for (HistoryEvent event : events) {
            refusals |= event.details() instanceof EventDetails.Refused;
            if (!event.rolloutId().equals(events.get(0).rolloutId())) {
                throw new IllegalArgumentException("one change appends the events of one rollout: " + events);
            }
        }
        if (events.isEmpty() || refusals) {
            if (write != null) {
                jdbc(connection -> update(connection, write));
            }
            List<DeploymentEvent> rows = new ArrayList<>();
            for (HistoryEvent event : events) {
                rows.addAll(record(event, at, rollout));
            }
            announce(rows); // once for the change: one notification per rollout, as below
            return rows;
        }
        List<DeploymentEvent> rows = new ArrayList<>(events.size() + 1);
        List<HistoryEvent> records = new ArrayList<>(events.size() + 1);
        jdbc(connection -> {
            Optional<HistoryEvent> summary = changeAndAppend(connection, write, events, at, rows);
            if (summary.isEmpty()) {
                records.addAll(events);
                return;
            }
            // The run's summary goes first, so the events' rows were held back: both follow now, in order.
            records.add(summary.get());
            records.addAll(events);
            rows.clear();
            for (HistoryEvent record : records) {
                rows.add(row(record, at));
            }
            insertAll(connection, rows, records);
        });
        for (int i = 0; i < rows.size(); i++) {
            appended.fire(new EventAppended(rows.get(i), records.get(i).details(), rollout));
        }
        announce(rows);
        return rows;
    }

    /**
     * The one statement of {@link #appendChange}: {@code write}, the end of the run of repeated refusals, and
     * the rows of {@code events} unless that run has a summary to append first. Fills {@code rows} with the rows
     * inserted (their {@code seq} set), and answers the summary that must precede them if there is one (then
     * {@code rows} stays empty).
     */
    private Optional<HistoryEvent> changeAndAppend(Connection connection, RowWrite write, List<HistoryEvent> events,
            Instant at, List<DeploymentEvent> rows) throws SQLException {
        UUID rolloutId = events.get(0).rolloutId();
        String sql = CHANGE_AND_APPEND.computeIfAbsent(new ChangeShape(write == null ? null : write.sql(),
                events.size()), History::changeAndAppendSql);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int p = 1;
            if (write != null) {
                for (Object parameter : write.parameters()) {
                    statement.setObject(p++, parameter);
                }
            }
            statement.setObject(p++, rolloutId);
            List<DeploymentEvent> inserted = new ArrayList<>(events.size());
            for (HistoryEvent event : events) {
                DeploymentEvent row = row(event, at);
                inserted.add(row);
                p = bind(statement, p, row, jsonText(event.details()));
            }
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                if (result.getLong(1) != 1) {
                    throw new OptimisticLockException("rollout " + rolloutId + " changed since it was read");
                }
                Object[] run = new Object[RefusalRuns.COLUMN_COUNT];
                for (int i = 0; i < run.length; i++) {
                    run[i] = result.getObject(3 + i);
                }
                Optional<HistoryEvent> summary = run[0] == null ? Optional.empty()
                        : RefusalRuns.summaryOfEnded(rolloutId, run);
                if (summary.isPresent()) {
                    return summary;
                }
                Long[] seqs = (Long[]) result.getArray(2).getArray();
                if (seqs.length != inserted.size()) {
                    throw new SQLException("the database returned " + seqs.length + " sequence numbers for "
                            + inserted.size() + " rows");
                }
                for (int i = 0; i < seqs.length; i++) {
                    inserted.get(i).seq = seqs[i];
                }
                rows.addAll(inserted);
                return Optional.empty();
            }
        }
    }

    private static void update(Connection connection, RowWrite write) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
            int p = 1;
            for (Object parameter : write.parameters()) {
                statement.setObject(p++, parameter);
            }
            if (statement.executeUpdate() != 1) {
                throw new OptimisticLockException("the row changed since it was read: " + write.parameters());
            }
        }
    }

    /**
     * Runs {@code work} on the transaction's connection, taken from the pool directly (the pool hands every
     * user in a transaction the same one), so that a change made without the session never opens one.
     */
    private void jdbc(Work work) {
        try (Connection connection = dataSource.getConnection()) {
            work.execute(connection);
        } catch (SQLException e) {
            throw new PersistenceException("appending events failed", e);
        }
    }

    /** A history row for {@code record} at {@code at}, to be inserted with plain JDBC ({@link #bind}). */
    private DeploymentEvent row(HistoryEvent record, Instant at) {
        DeploymentEvent row = new DeploymentEvent();
        row.rolloutId = record.rolloutId();
        row.at = at;
        row.action = record.action().wireName();
        row.fromPercentage = record.fromPercentage();
        row.toPercentage = record.toPercentage();
        row.actor = record.actor();
        row.reason = record.reason();
        return row;
    }

    /** The statements of {@link #changeAndAppend} by shape, so that each is built (and hashed by the driver) once. */
    private static final Map<ChangeShape, String> CHANGE_AND_APPEND = new ConcurrentHashMap<>();

    /** A shape of {@link #changeAndAppend}'s statement: the row update it carries, if any, and how many events. */
    private record ChangeShape(String writeSql, int events) {
    }

    private static String changeAndAppendSql(ChangeShape shape) {
        StringBuilder sql = new StringBuilder("with ");
        if (shape.writeSql() != null) {
            sql.append("change as (").append(shape.writeSql()).append(" returning 1), ");
        }
        sql.append("ended as (delete from refusal_run where rollout_id = ? returning ").append(RefusalRuns.COLUMNS)
                .append("), added as (insert into deployment_state (rollout_id, at, action, from_percentage, ")
                .append("to_percentage, actor, reason, details) select v.rollout_id, v.at, v.action, v.from_percentage, ")
                .append("v.to_percentage, v.actor, v.reason, v.details from (values ");
        for (int i = 0; i < shape.events(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(").append(i).append(", cast(? as uuid), cast(? as timestamptz), ")
                    .append("cast(? as text), cast(? as double precision), cast(? as double precision), cast(? as text), ")
                    .append("cast(? as text), cast(? as jsonb))");
        }
        sql.append(") v (n, rollout_id, at, action, from_percentage, to_percentage, actor, reason, details) ")
                .append("where not exists (select 1 from ended where repeats > 0) order by v.n returning seq) ")
                .append("select ").append(shape.writeSql() == null ? "1" : "(select count(*) from change)")
                .append(", array(select seq from added order by seq), e.* from (select 1) one left join ended e on true");
        return sql.toString();
    }

    /**
     * Binds the eight columns of {@code row}, its details as {@code details} (JSON), from parameter {@code p} on;
     * answers the next parameter.
     */
    private static int bind(PreparedStatement statement, int p, DeploymentEvent row, String details)
            throws SQLException {
        statement.setObject(p++, row.rolloutId);
        statement.setObject(p++, OffsetDateTime.ofInstant(row.at, ZoneOffset.UTC));
        statement.setString(p++, row.action);
        statement.setObject(p++, row.fromPercentage, Types.DOUBLE);
        statement.setObject(p++, row.toPercentage, Types.DOUBLE);
        statement.setString(p++, row.actor);
        statement.setString(p++, row.reason);
        statement.setString(p++, details);
        return p;
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
            rows.add(row(record, at));
        }
        em.flush(); // the changes the events describe go first, as with append
        em.unwrap(Session.class).doWork(connection -> insertAll(connection, rows, records));
        for (int i = 0; i < rows.size(); i++) {
            appended.fire(new EventAppended(rows.get(i), records.get(i).details(), null));
        }
        announce(rows);
        return rows;
    }

    /**
     * Inserts {@code rows} (of {@code records}, in the same order) as one JDBC batch and sets the sequence number
     * the database gave each.
     */
    private void insertAll(Connection connection, List<DeploymentEvent> rows, List<HistoryEvent> records)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor, reason,
                    details) values (?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))""", new String[] {"seq"})) {
            for (int i = 0; i < rows.size(); i++) {
                bind(insert, 1, rows.get(i), jsonText(records.get(i).details()));
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

    private String jsonText(EventDetails details) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private DeploymentEvent write(HistoryEvent event, Instant at, Rollout rollout) {
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
        appended.fire(new EventAppended(row, event.details(), rollout)); // observers write in this same transaction
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
