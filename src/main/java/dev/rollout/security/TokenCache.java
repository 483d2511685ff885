package dev.rollout.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Verified API tokens, so that a request does not cost a database round trip. Keyed by the token's
 * SHA-256 hash ({@link TokenHash}); the secret itself is never kept.
 * <ul>
 * <li>A verified token is trusted for at most {@code ttl} after it was read from the database, so a
 * revocation or rotation made by another instance takes effect here within {@code ttl}.</li>
 * <li>Its expiry is checked on every request against the stored {@code expires_at}, with the database
 * clock as it read at verification plus the time elapsed since (a monotonic clock): an expired token is
 * refused at its expiry, never up to {@code ttl} later.</li>
 * <li>{@link #revoked(String)} forgets a token at once on this instance; a read that started before it
 * is not cached afterwards (a revocation counter is compared before the result is stored).</li>
 * <li>Unknown hashes are remembered only for generated secrets ({@link Secrets#PREFIX}): such a secret
 * cannot be presented before it exists, so remembering that it was unknown can never make a new token
 * fail. Operator-chosen secrets (the bootstrap token) are always asked for when unknown.</li>
 * </ul>
 * Both maps are bounded; when one is full it is emptied, which costs a round trip per token, nothing more.
 */
public final class TokenCache {

    /** The largest {@code ttl} accepted: the documented bound for revocation across instances. */
    public static final Duration MAX_TTL = Duration.ofSeconds(5);

    /** The key: a token's hash, never its secret. */
    public record TokenHash(String sha256Hex) {
        public static TokenHash of(String secret) {
            return new TokenHash(Secrets.hash(secret));
        }
    }

    /** What the database said about an active token, with its clock's reading at that moment. */
    public record ActiveToken(String name, Role role, Instant expiresAt, Instant databaseNow, TargetScope scope) {

        public ActiveToken(String name, Role role, Instant expiresAt, Instant databaseNow) {
            this(name, role, expiresAt, databaseNow, TargetScope.ALL);
        }
    }

    private record Verified(ActiveToken token, Known known, long readAtNanos) {

        Verified(ActiveToken token, Caller caller, long readAtNanos) {
            this(token, new Known(Optional.of(caller)), readAtNanos);
        }
    }

    private final long ttlNanos;
    private final int maxEntries;
    private final int maxUnknown;
    private final LongSupplier nanoTime;
    private final Map<TokenHash, Verified> verified = new ConcurrentHashMap<>();
    private final Map<TokenHash, Long> unknown = new ConcurrentHashMap<>();
    private final AtomicLong revocations = new AtomicLong();
    /** Reads in progress: requests that miss on the same token at once share one read. */
    private final Map<TokenHash, CompletableFuture<Optional<ActiveToken>>> reading = new ConcurrentHashMap<>();

    public TokenCache(Duration ttl, int maxEntries, int maxUnknown, LongSupplier nanoTime) {
        if (ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalStateException("rollout.auth-cache.ttl: must be between 0s and " + MAX_TTL.toSeconds()
                    + "s (the bound within which a revoked token stops working on every instance)");
        }
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = Math.max(0, maxEntries);
        this.maxUnknown = Math.max(0, maxUnknown);
        this.nanoTime = nanoTime;
    }

    /**
     * The caller for {@code secret}: from the cache when a fresh entry exists and the token has not
     * expired since, else from {@code load} (the database), whose answer is then kept.
     */
    public Optional<Caller> authenticate(String secret, Function<TokenHash, Optional<ActiveToken>> load) {
        TokenHash key = TokenHash.of(secret);
        Known known = known(key, nanoTime.getAsLong());
        if (known != null) {
            return known.caller();
        }
        long revocationsBefore = revocations.get();
        CompletableFuture<Optional<ActiveToken>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<ActiveToken>> running = reading.putIfAbsent(key, mine);
        if (running != null) {
            // Another request is reading this token right now (say, 32 calls of one pipeline when its entry
            // ran out): share that answer instead of each asking the database, and using up the budgets.
            Optional<ActiveToken> shared = join(running);
            long at = nanoTime.getAsLong();
            if (revocations.get() == revocationsBefore) {
                return shared.filter(t -> !expired(t, at, at)).map(TokenCache::caller);
            }
            return read(secret, key, load, revocations.get(), null); // revoked meanwhile: read afresh
        }
        return read(secret, key, load, revocationsBefore, mine);
    }

    /** What the cache alone says of a token: the caller, or none (unknown, expired); the same rules as a read. */
    public record Known(Optional<Caller> caller) {
        /** No caller: unknown, expired or revoked. */
        public static final Known REFUSED = new Known(Optional.empty());
    }

    /**
     * The answer for {@code secret} from the cache alone, under the same rules as {@link #authenticate};
     * {@code null} when only a read can tell (then call {@link #authenticate}). Never reads, never blocks.
     */
    public Known cached(String secret) {
        return known(TokenHash.of(secret), nanoTime.getAsLong());
    }

    private Known known(TokenHash key, long now) {
        if (ttlNanos > 0) {
            Verified hit = verified.get(key);
            if (hit != null) {
                if (now - hit.readAtNanos() < ttlNanos) {
                    return expired(hit.token(), hit.readAtNanos(), now) ? Known.REFUSED : hit.known();
                }
                verified.remove(key, hit);
            }
            Long unknownAt = unknown.get(key);
            if (unknownAt != null) {
                if (now - unknownAt < ttlNanos) {
                    return Known.REFUSED;
                }
                unknown.remove(key, unknownAt);
            }
        }
        return null;
    }

    /** Reads the token (completing {@code shared} for requests waiting on this read), and keeps the answer. */
    private Optional<Caller> read(String secret, TokenHash key, Function<TokenHash, Optional<ActiveToken>> load,
            long revocationsBefore, CompletableFuture<Optional<ActiveToken>> shared) {
        long readAt = nanoTime.getAsLong();
        Optional<ActiveToken> token;
        try {
            token = load.apply(key);
        } catch (RuntimeException e) {
            if (shared != null) {
                reading.remove(key, shared);
                shared.completeExceptionally(e);
            }
            throw e;
        }
        if (ttlNanos > 0 && revocations.get() == revocationsBefore) {
            if (token.isPresent()) {
                put(verified, maxEntries, key, new Verified(token.get(), caller(token.get()), readAt));
            } else if (secret.startsWith(Secrets.PREFIX)) {
                put(unknown, maxUnknown, key, readAt);
            }
        }
        if (shared != null) {
            reading.remove(key, shared);
            shared.complete(token);
        }
        return token.filter(t -> !expired(t, readAt, readAt)).map(TokenCache::caller);
    }

    private static Optional<ActiveToken> join(CompletableFuture<Optional<ActiveToken>> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Forgets the named token on this instance at once (it was revoked here). */
    public void revoked(String name) {
        revocations.incrementAndGet();
        verified.values().removeIf(v -> v.token().name().equals(name));
    }

    /** Forgets everything (e.g. after the bootstrap token was rotated). */
    public void clear() {
        revocations.incrementAndGet();
        verified.clear();
        unknown.clear();
    }

    /** How many verified tokens and unknown hashes are kept right now. */
    public int size() {
        return verified.size() + unknown.size();
    }

    /** True when the token's expiry has passed by the database clock extrapolated from its reading. */
    private static boolean expired(ActiveToken token, long readAtNanos, long nowNanos) {
        if (token.expiresAt() == null) {
            return false;
        }
        Instant databaseNow = token.databaseNow().plusNanos(nowNanos - readAtNanos);
        return !token.expiresAt().isAfter(databaseNow);
    }

    private static Caller caller(ActiveToken token) {
        return new Caller(token.name(), token.role(), Caller.Kind.API_TOKEN, token.scope());
    }

    private static <V> void put(Map<TokenHash, V> map, int max, TokenHash key, V value) {
        if (max == 0) {
            return;
        }
        if (map.size() >= max) {
            map.clear();
        }
        map.put(key, value);
    }
}
