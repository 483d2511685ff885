package dev.rollout.security;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key, in memory: a bucket holds up to one period's budget and refills continuously. The
 * one home of the counting behind the per-credential budgets ({@link RateLimiter}) and the per-address
 * lookup budget ({@link CredentialLookups}).
 */
final class TokenBuckets {

    private static final class Bucket {
        double tokens;
        long updatedAt;
    }

    private final long periodNanos;
    /** Above this many buckets, full ones are dropped; above twice as many, all are. */
    private final int pruneAbove;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    TokenBuckets(long periodNanos, int pruneAbove, LongSupplier nanoTime) {
        this.periodNanos = periodNanos;
        this.pruneAbove = pruneAbove;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one from the bucket of {@code key}, which holds up to {@code perPeriod}. Empty when taken;
     * otherwise the whole seconds until one is back.
     */
    OptionalLong take(String key, int perPeriod) {
        if (buckets.size() > pruneAbove) {
            prune();
        }
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = perPeriod;
            fresh.updatedAt = now;
            return fresh;
        });
        synchronized (bucket) {
            double perNano = perPeriod / (double) periodNanos;
            bucket.tokens = Math.min(perPeriod, bucket.tokens + (now - bucket.updatedAt) * perNano);
            bucket.updatedAt = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return OptionalLong.empty();
            }
            double missingNanos = (1 - bucket.tokens) / perNano;
            return OptionalLong.of(Math.max(1, (long) Math.ceil(missingNanos / 1e9)));
        }
    }

    /** Gives back one taken from {@code key}'s bucket (what it was taken for turned out not to count). */
    void giveBack(String key, int perPeriod) {
        Bucket bucket = buckets.get(key);
        if (bucket != null) {
            synchronized (bucket) {
                bucket.tokens = Math.min(perPeriod, bucket.tokens + 1);
            }
        }
    }

    private void prune() {
        long now = nanoTime.getAsLong();
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                return now - bucket.updatedAt >= periodNanos; // idle a whole period: full again
            }
        });
        if (buckets.size() > 2 * pruneAbove) {
            buckets.clear(); // many keys, all busy: forget them rather than grow without bound
        }
    }
}
