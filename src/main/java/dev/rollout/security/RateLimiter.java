package dev.rollout.security;

import java.util.OptionalLong;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Token buckets per credential and budget, in memory: each instance of the service counts on its own,
 * so N instances behind a load balancer allow up to N times the configured rate. A bucket holds up to
 * one minute's budget and refills continuously.
 */
@ApplicationScoped
public class RateLimiter {

    public enum Bucket {
        ADVANCE, WRITE
    }

    private static final long MINUTE_NANOS = 60_000_000_000L;
    /** Above this many buckets, full ones (idle for a minute or more) are dropped. */
    private static final int PRUNE_ABOVE = 10_000;

    private final TokenBuckets buckets;
    private final int advancePerMinute;
    private final int writesPerMinute;

    @Inject
    public RateLimiter(RateLimitConfig config) {
        this(config.advancePerMinute(), config.writesPerMinute(), System::nanoTime);
    }

    RateLimiter(int advancePerMinute, int writesPerMinute, LongSupplier nanoTime) {
        this.advancePerMinute = advancePerMinute;
        this.writesPerMinute = writesPerMinute;
        this.buckets = new TokenBuckets(MINUTE_NANOS, PRUNE_ABOVE, nanoTime);
    }

    /**
     * Takes one call from the caller's budget. Empty when allowed; otherwise the seconds after which
     * the next call will be.
     */
    public OptionalLong acquire(Caller caller, Bucket bucket) {
        int perMinute = bucket == Bucket.ADVANCE ? advancePerMinute : writesPerMinute;
        if (perMinute <= 0) {
            return OptionalLong.empty();
        }
        return buckets.take(bucket + "|" + caller.kind() + "|" + caller.name(), perMinute);
    }
}
