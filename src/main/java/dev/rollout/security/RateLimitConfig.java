package dev.rollout.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Per-credential request budgets; 0 turns a budget off. */
@ConfigMapping(prefix = "rollout.rate-limit")
public interface RateLimitConfig {

    /** {@code advance} calls per minute per credential (bursts up to this many). */
    @WithDefault("30")
    int advancePerMinute();

    /** Other changing calls (plans, start, pause, resume, rollback, abort, tokens) per minute per credential. */
    @WithDefault("120")
    int writesPerMinute();
}
