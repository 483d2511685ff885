package dev.rollout.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The event_outbox table, in native SQL (claims with leases under {@code FOR UPDATE SKIP LOCKED}). Rows
 * are written in the transaction that appends their history event; the deliverer claims, sends and
 * settles them. All times are the database's. Claimed rows are read with one row mapper; the backlog is
 * an aggregate per channel, not a row.
 */
@ApplicationScoped
public class Outbox {

    private final EntityManager em;
    private final ObjectMapper json;
    private final DataSource dataSource;

    public Outbox(EntityManager em, ObjectMapper json, DataSource dataSource) {
        this.em = em;
        this.dataSource = dataSource;
        this.json = json;
    }

    /**
     * Queues one delivery of an event; part of the caller's transaction. With {@code withAnnotation}, the
     * payload also gets the event's {@code text} and {@code tags} from the {@code rollout_annotation} view,
     * in this same statement.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(long eventSeq, UUID rolloutId, String channel, ObjectNode payload, boolean withAnnotation) {
        // Plain JDBC on the transaction's connection (the pool hands the transaction's own to every user within
        // it): a row per event and channel on every change, where a native query through the session would
        // cost its translation and a flush check each time.
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(withAnnotation ? ENQUEUE_ANNOTATED : ENQUEUE)) {
            insert.setLong(1, eventSeq);
            insert.setObject(2, rolloutId);
            insert.setString(3, channel);
            insert.setString(4, write(payload));
            if (withAnnotation) {
                insert.setLong(5, eventSeq);
            }
            if (insert.executeUpdate() != 1) {
                throw new IllegalStateException("event " + eventSeq + " has no row in rollout_annotation");
            }
        } catch (SQLException e) {
            throw new PersistenceException("queueing event " + eventSeq + " for " + channel + " failed", e);
        }
    }

    private static final String ENQUEUE = """
            insert into event_outbox (event_seq, rollout_id, channel, payload, next_attempt_at, created_at)
            values (?, ?, ?, cast(? as jsonb), now(), now())""";

    private static final String ENQUEUE_ANNOTATED = """
            insert into event_outbox (event_seq, rollout_id, channel, payload, next_attempt_at, created_at)
            select ?, ?, ?, cast(? as jsonb) || jsonb_build_object('text', a.text, 'tags', to_jsonb(a.tag_list)),
                   now(), now()
              from rollout_annotation a where a.seq = ?""";

    /**
     * Queues one delivery of an audit entry's annotation; part of the caller's transaction. The payload gets the
     * entry's {@code time}, {@code timeEnd}, {@code text} and {@code tags} from the {@code audit_annotation} view
     * in this same statement, so the text has one implementation, in SQL, as for history events.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueueAudit(long auditSeq, String channel, ObjectNode payload) {
        int queued = em.createNativeQuery("""
                insert into event_outbox (audit_seq, channel, payload, next_attempt_at, created_at)
                select ?1, ?2, cast(?3 as jsonb) || jsonb_build_object('time', a."time", 'timeEnd', a."timeEnd",
                                                                     'text', a.text, 'tags', to_jsonb(a.tag_list)),
                       now(), now()
                  from audit_annotation a where a.seq = ?1""")
                .setParameter(1, auditSeq).setParameter(2, channel).setParameter(3, write(payload)).executeUpdate();
        if (queued != 1) {
            throw new IllegalStateException("audit entry " + auditSeq + " has no row in audit_annotation");
        }
    }

    /**
     * Claims up to {@code limit} due rows of {@code channel} for {@code instance} for the length of
     * {@code lease}. Channels are claimed separately, so a backlog on one (annotations while Grafana was
     * down) never keeps another (the step webhooks that move traffic) waiting behind it. Only the
     * oldest pending row of each rollout and channel is ever due, so a rollout's events leave in order:
     * a row waits while an earlier one of its rollout is being sent or backing off. FOR UPDATE SKIP LOCKED
     * lets several instances claim at once without ever claiming the same row; a row claimed by an
     * instance that died becomes due again when its lease runs out. Commits the claim before returning,
     * so the attempt is on record before anything is sent.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<OutboxRow> claim(String instance, Duration lease, int limit, String channel) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                update event_outbox o
                   set claimed_by = ?1, claimed_until = now() + make_interval(secs => ?2), attempts = o.attempts + 1
                 where o.id in (
                       select c.id from event_outbox c
                        where c.state = 'PENDING' and c.channel = ?4 and c.next_attempt_at <= now()
                          and (c.claimed_until is null or c.claimed_until < now())
                          and not exists (select 1 from event_outbox e
                                           where e.rollout_id = c.rollout_id and e.channel = c.channel
                                             and e.state = 'PENDING' and e.id < c.id)
                        order by c.id
                        limit ?3
                        for update skip locked)
                returning o.id, o.event_seq, o.rollout_id, o.channel, cast(o.payload as text), o.attempts, o.audit_seq""")
                .setParameter(1, instance).setParameter(2, lease.toMillis() / 1000.0).setParameter(3, limit)
                .setParameter(4, channel).getResultList();
        List<OutboxRow> claimed = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            claimed.add(row(r));
        }
        claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
        return claimed;
    }

    /**
     * Settles a delivered row. Returns false when {@code instance} no longer holds the claim (its lease
     * ran out and another instance took the row over); the row is then left to that instance.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean delivered(OutboxRow row, String instance, String externalId, boolean deduplicated) {
        return em.createNativeQuery("""
                update event_outbox
                   set state = 'DELIVERED', delivered_at = now(), external_id = ?3, deduplicated = ?4,
                       claimed_by = null, claimed_until = null, last_error = null
                 where id = ?1 and claimed_by = ?2 and state = 'PENDING'""")
                .setParameter(1, row.id()).setParameter(2, instance).setParameter(3, externalId)
                .setParameter(4, deduplicated).executeUpdate() == 1;
    }

    /** Releases a row after a failed attempt, to be tried again after {@code backoff}. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean failed(OutboxRow row, String instance, String error, Duration backoff) {
        return em.createNativeQuery("""
                update event_outbox
                   set claimed_by = null, claimed_until = null, last_error = ?3,
                       next_attempt_at = now() + make_interval(secs => ?4)
                 where id = ?1 and claimed_by = ?2 and state = 'PENDING'""")
                .setParameter(1, row.id()).setParameter(2, instance)
                .setParameter(3, error.length() > 1000 ? error.substring(0, 1000) : error)
                .setParameter(4, backoff.toMillis() / 1000.0).executeUpdate() == 1;
    }

    /**
     * Gives a row up: it is never attempted again, and the rows of its rollout and channel behind it become
     * due. Joins the caller's transaction, so that what the channel does about it commits with it.
     * Fenced by the claim, like {@link #failed}.
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public boolean givenUp(OutboxRow row, String instance, String error) {
        return em.createNativeQuery("""
                update event_outbox
                   set state = 'GIVEN_UP', claimed_by = null, claimed_until = null, last_error = ?3
                 where id = ?1 and claimed_by = ?2 and state = 'PENDING'""")
                .setParameter(1, row.id()).setParameter(2, instance)
                .setParameter(3, error.length() > 1000 ? error.substring(0, 1000) : error).executeUpdate() == 1;
    }

    /** Pending rows and the age in seconds of the oldest, per channel. */
    public record Backlog(long pending, double oldestAgeSeconds) {
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Map<String, Backlog> backlog() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select channel, count(*), coalesce(extract(epoch from now() - min(created_at)), 0)
                  from event_outbox where state = 'PENDING' group by channel""").getResultList();
        Map<String, Backlog> backlog = new LinkedHashMap<>();
        for (Object[] r : rows) {
            backlog.put((String) r[0], new Backlog(((Number) r[1]).longValue(), ((Number) r[2]).doubleValue()));
        }
        return backlog;
    }

    /** The row mapper, for the columns {@link #claim} returns. */
    private OutboxRow row(Object[] r) {
        return new OutboxRow(((Number) r[0]).longValue(), r[1] == null ? 0 : ((Number) r[1]).longValue(), (UUID) r[2],
                (String) r[3], read((String) r[4]), ((Number) r[5]).intValue(),
                r[6] == null ? 0 : ((Number) r[6]).longValue());
    }

    private String write(ObjectNode payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode read(String payload) {
        try {
            return (ObjectNode) json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable outbox payload", e);
        }
    }
}
