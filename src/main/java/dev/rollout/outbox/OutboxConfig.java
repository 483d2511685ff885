package dev.rollout.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "rollout.outbox")
public interface OutboxConfig {

    /** How often the deliverer looks for due rows (it drains everything due on each pass). */
    @WithDefault("2s")
    Duration interval();

    /** Rows claimed per round trip to the database. */
    @WithDefault("50")
    int batchSize();

    /**
     * How long a claim lasts. Must be longer than any channel's request timeout: a row is offered again
     * only after the instance that claimed it has certainly given up on its request.
     */
    @WithDefault("60s")
    Duration lease();

    /** Wait after the first failed attempt; doubled after each further failure, up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration initialBackoff();

    @WithDefault("5m")
    Duration maxBackoff();
}
