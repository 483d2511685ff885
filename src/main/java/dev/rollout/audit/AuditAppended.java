package dev.rollout.audit;

/** An audit entry was appended; fired inside the transaction that appended it. */
public record AuditAppended(long seq, AuditAction action) {
}
