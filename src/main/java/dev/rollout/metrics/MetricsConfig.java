package dev.rollout.metrics;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "rollout.metrics")
public interface MetricsConfig {

    /** How often the per-rollout gauges and the outbox backlog are read again from the database. */
    @WithDefault("15s")
    Duration refreshInterval();
}
