package dev.rollout.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.db.Rows;

/**
 * What streams read of deployment_state, in native SQL: the sequence's value, the database's snapshot bounds
 * ({@link FeedRules}) and ranges of committed events in seq order. Each statement runs on its own (autocommit),
 * so each sees a fresh snapshot, in the order the feed calls them.
 */
@ApplicationScoped
public class EventLog {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    /**
     * Every transaction id below {@code xmin} has ended; every transaction that had its id when this was read
     * has an id below {@code idBound}.
     */
    record Snapshot(long xmin, long idBound) {
    }

    private final DataSource dataSource;
    private final ObjectMapper json;

    public EventLog(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** The last seq handed out (committed or not); 0 before the first. */
    long lastSeq() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "select coalesce(pg_sequence_last_value('deployment_state_seq_seq'::regclass), 0)");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Read after {@link #lastSeq}. The bound is this statement's own transaction id, plus one: ids are handed out
     * in order, and every holder of a seq up to the value read before had its id first (db/V16), so its id is
     * lower. A snapshot's {@code xmax} would not do: it is one past the highest <em>completed</em> id, and the
     * newest transactions, still open, may be above it. Taking an id costs a commit record, written without
     * waiting for the disk (nothing depends on it).
     */
    Snapshot snapshot() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
                    pg_current_xact_id()::text::bigint + 1, set_config('synchronous_commit', 'off', true)""");
                ResultSet r = s.executeQuery()) {
            r.next();
            return new Snapshot(r.getLong(1), r.getLong(2));
        }
    }

    /**
     * At most {@code limit} committed events with {@code after < seq <= upTo}, of one rollout or (null) of
     * all, oldest first.
     */
    List<LoggedEvent> read(long after, long upTo, UUID rolloutId, int limit) throws SQLException {
        String sql = """
                select d.seq, d.rollout_id, r.target, d.at, d.action, d.from_percentage, d.to_percentage, d.actor,
                    d.reason, d.details::text
                from deployment_state d join rollout r on r.id = d.rollout_id
                where d.seq > ? and d.seq <= ?""" + (rolloutId == null ? "" : " and d.rollout_id = ?")
                + " order by d.seq limit ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            s.setLong(p++, after);
            s.setLong(p++, upTo);
            if (rolloutId != null) {
                s.setObject(p++, rolloutId);
            }
            s.setInt(p, limit);
            List<LoggedEvent> events = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    events.add(event(r));
                }
            }
            return events;
        }
    }

    private LoggedEvent event(ResultSet r) throws SQLException {
        long seq = r.getLong(1);
        UUID rolloutId = r.getObject(2, UUID.class);
        String action = r.getString(5);
        StreamedEvent data = new StreamedEvent(seq, rolloutId, action, (Double) r.getObject(6),
                (Double) r.getObject(7), Rows.instant(r.getObject(4)), r.getString(8), r.getString(9),
                details(r.getString(10)));
        try {
            return new LoggedEvent(seq, rolloutId, r.getString(3), action, json.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> details(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, JSON_OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
