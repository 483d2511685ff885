package dev.rollout.metrics;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "rollout.metrics")
public interface MetricsConfig {

    /** How often the per-rollout gauges and the outbox backlog are read again from the database. */
    @WithDefault("15s")
    Duration refreshInterval();

    /**
     * The most active rollouts shown with all six per-rollout gauges. Above it every rollout keeps only
     * {@code rollout_percentage}, {@code rollout_gauges_withheld} shows 1, and the other five come back once the
     * active rollouts are that few again: at 100,000 active rollouts one scrape of all six would be 600,000
     * series, a text of over a hundred megabytes built in the heap.
     */
    @WithDefault("10000")
    int rolloutGaugesMax();
}
