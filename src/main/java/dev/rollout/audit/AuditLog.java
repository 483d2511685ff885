package dev.rollout.audit;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.db.Rows;

/**
 * The audit_log table (migration V11): appended in the transaction of the change it records, read in
 * {@code seq} order. The database refuses to update, delete or truncate it. Native SQL; rows are mapped
 * in {@link #entry(Object[])}.
 */
@ApplicationScoped
public class AuditLog {

    private static final String COLUMNS = "seq, at, actor, action, reason, details::text";
    private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {
    };

    private final EntityManager em;
    private final ObjectMapper json;
    private final Event<AuditAppended> appended;

    public AuditLog(EntityManager em, ObjectMapper json, Event<AuditAppended> appended) {
        this.em = em;
        this.json = json;
        this.appended = appended;
    }

    /**
     * Appends an entry in the caller's transaction, stamped with the database time, and fires
     * {@link AuditAppended} in that transaction (where the outbox queues the annotations of those that have one).
     * Returns the entry's seq.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long append(String actor, AuditAction action, String reason, Map<String, Object> details) {
        long seq = ((Number) em.createNativeQuery("insert into audit_log (actor, action, reason, details) "
                + "values (?1, ?2, ?3, cast(?4 as jsonb)) returning seq")
                .setParameter(1, actor).setParameter(2, action.wireName()).setParameter(3, reason)
                .setParameter(4, toJson(details)).getSingleResult()).longValue();
        appended.fire(new AuditAppended(seq, action));
        return seq;
    }

    /** Up to {@code limit} entries after {@code afterSeq} (0: from the start), oldest first. */
    public List<AuditEntry> page(long afterSeq, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from audit_log where seq > ?1 order by seq limit ?2")
                .setParameter(1, afterSeq).setParameter(2, limit).getResultList();
        return rows.stream().map(this::entry).toList();
    }

    /** The newest entry of {@code action}, if any. */
    public java.util.Optional<AuditEntry> latest(AuditAction action) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from audit_log where action = ?1 order by seq desc limit 1")
                .setParameter(1, action.wireName()).getResultList();
        return rows.stream().findFirst().map(this::entry);
    }

    /** The row mapper, for {@link #COLUMNS}. */
    private AuditEntry entry(Object[] r) {
        try {
            return new AuditEntry(((Number) r[0]).longValue(), Rows.instant(r[1]), (String) r[2], (String) r[3],
                    (String) r[4], json.readValue((String) r[5], DETAILS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log row " + r[0] + ": details are not a JSON object", e);
        }
    }

    private String toJson(Map<String, Object> details) {
        try {
            return json.writeValueAsString(details == null ? Map.of() : details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
