package dev.rollout.security;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
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

    private final Map<String, State> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final int advancePerMinute;
    private final int writesPerMinute;

    @Inject
    public RateLimiter(RateLimitConfig config) {
        this(config.advancePerMinute(), config.writesPerMinute(), System::nanoTime);
    }

    RateLimiter(int advancePerMinute, int writesPerMinute, LongSupplier nanoTime) {
        this.advancePerMinute = advancePerMinute;
        this.writesPerMinute = writesPerMinute;
        this.nanoTime = nanoTime;
    }

    private static final class State {
        double tokens;
        long updatedAt;
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
        if (buckets.size() > PRUNE_ABOVE) {
            prune();
        }
        String key = bucket + "|" + caller.kind() + "|" + caller.name();
        long now = nanoTime.getAsLong();
        State state = buckets.computeIfAbsent(key, k -> {
            State fresh = new State();
            fresh.tokens = perMinute;
            fresh.updatedAt = now;
            return fresh;
        });
        synchronized (state) {
            double perNano = perMinute / (double) MINUTE_NANOS;
            state.tokens = Math.min(perMinute, state.tokens + (now - state.updatedAt) * perNano);
            state.updatedAt = now;
            if (state.tokens >= 1) {
                state.tokens -= 1;
                return OptionalLong.empty();
            }
            double missingNanos = (1 - state.tokens) / perNano;
            return OptionalLong.of(Math.max(1, (long) Math.ceil(missingNanos / 1e9)));
        }
    }

    private void prune() {
        long now = nanoTime.getAsLong();
        buckets.values().removeIf(state -> {
            synchronized (state) {
                return now - state.updatedAt >= MINUTE_NANOS;
            }
        });
    }
}
