package dev.rollout.support;

import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import dev.rollout.clock.DatabaseClock;
import dev.rollout.clock.RolloutClock;

/**
 * The database clock plus an offset a test can move forward, so a 24-hour dwell can be tested without
 * waiting 24 hours. With no offset it is exactly the production clock.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class TestClock implements RolloutClock {

    private final DatabaseClock database;
    private volatile Duration offset = Duration.ZERO;

    public TestClock(DatabaseClock database) {
        this.database = database;
    }

    @Override
    public Instant now() {
        return database.now().plus(offset);
    }

    @Override
    public Instant at(Instant statementTimestamp) {
        return statementTimestamp.plus(offset);
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    public void reset() {
        offset = Duration.ZERO;
    }
}
