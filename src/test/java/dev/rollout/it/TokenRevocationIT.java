package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.rollout.support.TestDatabase;

/**
 * Two instances on one database, each caching verified tokens for the documented bound: a token minted on
 * one works on the other at once (caching never makes a new token fail), and a token revoked on one is
 * refused there on the next request and on the other within the bound.
 */
class TokenRevocationIT {

    /** The bound under test: the default of rollout.auth-cache.ttl, set explicitly. */
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static AppProcess a;
    private static AppProcess b;

    @BeforeAll
    static void startInstances() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_revocation");
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_AUTH_CACHE_TTL", BOUND.toSeconds() + "s");
        a = AppProcess.start("revocation-a", env);
        b = AppProcess.start("revocation-b", env);
    }

    @AfterAll
    static void stopInstances() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void aTokenMintedOnOneInstanceWorksOnTheOtherAtOnce() {
        // B has just refused unknown generated tokens, and remembers them as unknown.
        for (int i = 0; i < 5; i++) {
            assertEquals(401, status(b, "rt_" + "x".repeat(43) + i));
        }
        String secret = a.post("/api/v1/tokens", Map.of("name", "fresh-on-a", "role", "viewer")).json()
                .path("token").asText();
        assertEquals(200, status(b, secret));
        assertEquals(200, status(a, secret));
    }

    @Test
    void aTokenRevokedOnOneInstanceIsRefusedThereAtOnceAndOnTheOtherWithinTheBound() {
        String secret = a.post("/api/v1/tokens", Map.of("name", "revoked-on-a", "role", "viewer")).json()
                .path("token").asText();
        // Both instances have verified it and keep it.
        for (int i = 0; i < 10; i++) {
            assertEquals(200, status(a, secret));
            assertEquals(200, status(b, secret));
        }
        AppProcess.Reply revoked = a.delete("/api/v1/tokens/revoked-on-a");
        assertEquals(204, revoked.status(), revoked.toString());
        long revokedAt = System.nanoTime();
        assertEquals(401, status(a, secret), "refused at once where it was revoked");
        // B may still trust its verification for at most the bound, then must refuse (poll, never sleep).
        Awaitility.await().atMost(BOUND.plusSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(b, secret) == 401);
        Duration took = Duration.ofNanos(System.nanoTime() - revokedAt);
        assertTrue(took.compareTo(BOUND.plusSeconds(2)) <= 0, "refused on the other instance after " + took);
        for (int i = 0; i < 5; i++) {
            assertEquals(401, status(b, secret), "stays refused");
        }
    }

    private static int status(AppProcess app, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v1/rollouts"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new AssertionError(app.name() + ": request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
