package dev.rollout.clock;

import java.time.Instant;

/**
 * The time every dwell rule is measured with. Production reads the database clock, so that neither a
 * caller's nor a replica's clock can shorten a dwell; tests substitute a clock they can move forward.
 * Must be called inside a transaction.
 */
public interface RolloutClock {
    Instant now();
}
