package dev.rollout.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.rollout.security.TokenCache.ActiveToken;
import dev.rollout.security.TokenCache.TokenHash;

/** The verified-token cache on a clock the test moves: ttl, expiry, revocation, unknown tokens, bounds. */
class TokenCacheTest {

    private static final Instant DB_NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger reads = new AtomicInteger();
    /** What the "database" holds: hash to active token. */
    private final Map<TokenHash, ActiveToken> rows = new HashMap<>();

    private TokenCache cache(Duration ttl, int max) {
        return new TokenCache(ttl, max, max, nanos::get);
    }

    private Optional<ActiveToken> load(TokenHash hash) {
        reads.incrementAndGet();
        ActiveToken row = rows.get(hash);
        // the database's clock moves with the test's
        return Optional.ofNullable(row).map(r -> new ActiveToken(r.name(), r.role(), r.expiresAt(),
                DB_NOW.plusNanos(nanos.get() - 1_000_000_000L)));
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private String mint(String name, Instant expiresAt) {
        String secret = Secrets.newToken();
        rows.put(TokenHash.of(secret), new ActiveToken(name, Role.DEPLOYER, expiresAt, null));
        return secret;
    }

    @Test
    void aVerifiedTokenIsReadOncePerTtl() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        for (int i = 0; i < 100; i++) {
            assertEquals("ci", cache.authenticate(secret, this::load).orElseThrow().name());
        }
        assertEquals(1, reads.get());
        advance(Duration.ofMillis(2001));
        assertTrue(cache.authenticate(secret, this::load).isPresent());
        assertEquals(2, reads.get());
    }

    @Test
    void requestsThatMissOnOneTokenAtOnceShareOneRead() throws Exception {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        java.util.function.Function<TokenHash, Optional<ActiveToken>> heldRead = hash -> {
            reading.countDown();
            try {
                answer.await(); // the test decides when the database answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return load(hash);
        };
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Optional<Caller>>> calls = new java.util.ArrayList<>();
            calls.add(callers.submit(() -> cache.authenticate(secret, heldRead)));
            reading.await();
            for (int i = 0; i < 7; i++) {
                calls.add(callers.submit(() -> cache.authenticate(secret, heldRead)));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ((java.util.concurrent.ThreadPoolExecutor) callers).getActiveCount() == 8);
            answer.countDown();
            for (var call : calls) {
                assertEquals("ci", call.get(10, java.util.concurrent.TimeUnit.SECONDS).orElseThrow().name());
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(1, reads.get(), "eight requests, one read");
    }

    @Test
    void aTokenRevokedElsewhereStopsWithinTheTtl() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        assertTrue(cache.authenticate(secret, this::load).isPresent());
        rows.clear(); // revoked by another instance
        advance(Duration.ofMillis(1999));
        assertTrue(cache.authenticate(secret, this::load).isPresent(), "trusted within the ttl");
        advance(Duration.ofMillis(1));
        assertTrue(cache.authenticate(secret, this::load).isEmpty(), "refused once the ttl is over");
    }

    @Test
    void aTokenRevokedHereStopsAtOnce() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        assertTrue(cache.authenticate(secret, this::load).isPresent());
        rows.clear();
        cache.revoked("ci");
        assertTrue(cache.authenticate(secret, this::load).isEmpty());
    }

    @Test
    void aReadThatRacedARevocationIsNotKept() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        // The read sees the row before the revocation commits; the revocation lands before it is stored.
        assertTrue(cache.authenticate(secret, hash -> {
            Optional<ActiveToken> row = load(hash);
            rows.clear();
            cache.revoked("ci");
            return row;
        }).isPresent());
        assertTrue(cache.authenticate(secret, this::load).isEmpty());
    }

    @Test
    void anExpiredTokenIsRefusedAtItsExpiryEvenWhenCached() {
        TokenCache cache = cache(Duration.ofSeconds(5), 100);
        String secret = mint("short", DB_NOW.plusMillis(500));
        assertTrue(cache.authenticate(secret, this::load).isPresent());
        advance(Duration.ofMillis(499));
        assertTrue(cache.authenticate(secret, this::load).isPresent());
        advance(Duration.ofMillis(1));
        assertTrue(cache.authenticate(secret, this::load).isEmpty());
        assertEquals(1, reads.get(), "judged from the cached expiry, without a read");
    }

    @Test
    void aNewTokenWorksAtOnceEvenAfterUnknownOnesWereRemembered() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String unknown = Secrets.newToken();
        assertTrue(cache.authenticate(unknown, this::load).isEmpty());
        assertTrue(cache.authenticate(unknown, this::load).isEmpty());
        assertEquals(1, reads.get(), "an unknown generated token is remembered");
        String fresh = mint("new", null);
        assertTrue(cache.authenticate(fresh, this::load).isPresent());
    }

    @Test
    void operatorChosenSecretsAreNeverRememberedAsUnknown() {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String bootstrap = "operator-chosen-secret-0123456789abcdef";
        assertTrue(cache.authenticate(bootstrap, this::load).isEmpty());
        rows.put(TokenHash.of(bootstrap), new ActiveToken("bootstrap-admin", Role.ADMIN, null, null));
        assertTrue(cache.authenticate(bootstrap, this::load).isPresent(), "a rotated-in bootstrap token works at once");
    }

    @Test
    void theCacheIsBounded() {
        TokenCache cache = cache(Duration.ofSeconds(2), 10);
        for (int i = 0; i < 100; i++) {
            cache.authenticate(mint("t" + i, null), this::load);
            cache.authenticate(Secrets.newToken(), this::load);
        }
        assertTrue(cache.size() <= 20, "size " + cache.size());
    }

    @Test
    void aZeroTtlAsksEveryTime() {
        TokenCache cache = cache(Duration.ZERO, 100);
        String secret = mint("ci", null);
        cache.authenticate(secret, this::load);
        cache.authenticate(secret, this::load);
        assertEquals(2, reads.get());
        assertEquals(0, cache.size());
    }

    @Test
    void aTtlAboveTheDocumentedBoundIsRefused() {
        assertThrows(IllegalStateException.class, () -> cache(Duration.ofSeconds(6), 100));
    }

    @Test
    void secretsAreNeverKeys() throws Exception {
        TokenCache cache = cache(Duration.ofSeconds(2), 100);
        String secret = mint("ci", null);
        cache.authenticate(secret, this::load);
        for (Field field : TokenCache.class.getDeclaredFields()) {
            if (Map.class.isAssignableFrom(field.getType())) {
                ParameterizedType type = (ParameterizedType) field.getGenericType();
                assertEquals(TokenHash.class, type.getActualTypeArguments()[0], field.getName());
            }
        }
        assertEquals(1, TokenHash.class.getRecordComponents().length);
        assertFalse(TokenHash.of(secret).toString().contains(secret.substring(3, 11)));
        assertEquals(Secrets.hash(secret), TokenHash.of(secret).sha256Hex());
    }
}
