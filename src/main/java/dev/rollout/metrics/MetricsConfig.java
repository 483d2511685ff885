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
     * The most active rollouts shown with per-rollout gauges (six series each). Above it the per-rollout
     * series are all withdrawn, {@code rollout_gauges_withheld} shows 1, and they come back once the active
     * rollouts are that few again: at 100,000 active rollouts one scrape would be 600,000 series, a text of
     * over a hundred megabytes built in the heap, which no Prometheus job should ingest either.
     */
    @WithDefault("10000")
    int rolloutGaugesMax();
}
