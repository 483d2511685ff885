package dev.rollout.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One audit log entry: who ({@code actor}: a token name, {@code <subject>@<issuer host>}, or
 * {@code configuration} / {@code controller} for the service itself), what ({@code action}), why
 * ({@code reason}, when one was given), when (database time), and the facts ({@code details}: never a
 * secret or a hash of one).
 */
public record AuditEntry(long seq, Instant at, String actor, String action, String reason,
        Map<String, Object> details) {
}
