package dev.rollout.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Request budgets, per credential and, for credentials nobody holds, per client address; 0 turns a budget off. */
@ConfigMapping(prefix = "rollout.rate-limit")
public interface RateLimitConfig {

    /** {@code advance} calls per minute per credential (bursts up to this many). */
    @WithDefault("30")
    int advancePerMinute();

    /** Other changing calls (plans, start, pause, resume, rollback, abort, tokens) per minute per credential. */
    @WithDefault("120")
    int writesPerMinute();

    /**
     * Database lookups of unknown credentials per client address and second (bursts up to this many); a
     * lookup that finds an active token does not count. Beyond it: 429 without a lookup.
     */
    @WithDefault("10")
    int failedAuthenticationsPerSecond();

    /** Database lookups of credentials at once, for the whole instance; beyond it a request waits up to 1 s, then 429. */
    @WithDefault("4")
    int credentialLookupsInFlight();
}
