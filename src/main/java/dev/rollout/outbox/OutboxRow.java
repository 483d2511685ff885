package dev.rollout.outbox;

import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One claimed outbox row: of a history event ({@code eventSeq} and {@code rolloutId}; {@code auditSeq} 0) or of
 * an audit entry ({@code auditSeq}; {@code eventSeq} 0, {@code rolloutId} null). {@code attempts} includes the
 * attempt now being made.
 */
public record OutboxRow(long id, long eventSeq, UUID rolloutId, String channel, ObjectNode payload, int attempts,
        long auditSeq) {

    /** A row of a history event. */
    public OutboxRow(long id, long eventSeq, UUID rolloutId, String channel, ObjectNode payload, int attempts) {
        this(id, eventSeq, rolloutId, channel, payload, attempts, 0);
    }

    /** Attempts started before this one: if any, one of them may have reached the receiver. */
    public int previousAttempts() {
        return attempts - 1;
    }

    public boolean isAudit() {
        return auditSeq != 0;
    }

    /** "event 12" or "audit entry 7", for log lines. */
    public String source() {
        return isAudit() ? "audit entry " + auditSeq : "event " + eventSeq;
    }
}
