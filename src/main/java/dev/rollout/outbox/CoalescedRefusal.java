package dev.rollout.outbox;

import java.util.UUID;

/**
 * A refused advance that repeated its run's last refusal, so the history only counted it (no row, nothing to
 * deliver). Announced inside its transaction; observers that must only see committed calls observe it with
 * {@code during = TransactionPhase.AFTER_SUCCESS}. {@code reason} is the refusal type.
 */
public record CoalescedRefusal(UUID rolloutId, String plan, String reason) {
}
