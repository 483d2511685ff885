package dev.rollout.clock;

import java.time.Instant;

/**
 * The time every dwell rule is measured with. Production reads the database clock, so that neither a
 * caller's nor a replica's clock can shorten a dwell; tests substitute a clock they can move forward.
 * Must be called inside a transaction.
 */
public interface RolloutClock {
    Instant now();

    /**
     * The reading for a moment the caller took itself: {@code statementTimestamp} is the database's
     * {@code statement_timestamp()}, read by a statement of the caller's own (the change protocol reads it in
     * the statement that takes the row lock, so the lock and the clock cost one round trip). Production
     * answers it as it is; a test's clock applies its own offset here too, so tests still own the moment.
     */
    default Instant at(Instant statementTimestamp) {
        return statementTimestamp;
    }
}
