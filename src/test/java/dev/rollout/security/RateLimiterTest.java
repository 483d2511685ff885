package dev.rollout.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token buckets, on a clock the test moves. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(3, 60, now::get);
    private final Caller bot = new Caller("deploy-bot", Role.DEPLOYER, Caller.Kind.API_TOKEN);

    @Test
    void aBurstUpToTheBudgetThenRefusalsSayWhenToComeBack() {
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.acquire(bot, RateLimiter.Bucket.ADVANCE).isEmpty());
        }
        OptionalLong retry = limiter.acquire(bot, RateLimiter.Bucket.ADVANCE);
        assertEquals(20, retry.orElseThrow(), "3 per minute: one every 20 s");
        now.addAndGet(19_000_000_000L);
        assertEquals(1, limiter.acquire(bot, RateLimiter.Bucket.ADVANCE).orElseThrow());
        now.addAndGet(1_000_000_000L);
        assertTrue(limiter.acquire(bot, RateLimiter.Bucket.ADVANCE).isEmpty());
    }

    @Test
    void budgetsArePerCredentialAndPerKindOfCall() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire(bot, RateLimiter.Bucket.ADVANCE);
        }
        assertTrue(limiter.acquire(bot, RateLimiter.Bucket.ADVANCE).isPresent());
        assertTrue(limiter.acquire(new Caller("other-bot", Role.DEPLOYER, Caller.Kind.API_TOKEN),
                RateLimiter.Bucket.ADVANCE).isEmpty());
        assertTrue(limiter.acquire(new Caller("deploy-bot", Role.DEPLOYER, Caller.Kind.JWT),
                RateLimiter.Bucket.ADVANCE).isEmpty(), "a JWT subject is not the token of the same name");
        assertTrue(limiter.acquire(bot, RateLimiter.Bucket.WRITE).isEmpty());
    }

    @Test
    void aBudgetOfZeroIsNoLimit() {
        RateLimiter off = new RateLimiter(0, 0, now::get);
        for (int i = 0; i < 1000; i++) {
            assertTrue(off.acquire(bot, RateLimiter.Bucket.ADVANCE).isEmpty());
        }
    }

    @Test
    void rolesAreOrdered() {
        assertTrue(Role.ADMIN.includes(Role.DEPLOYER));
        assertTrue(Role.DEPLOYER.includes(Role.DEPLOYER));
        assertTrue(!Role.DEPLOYER.includes(Role.OPERATOR));
        assertTrue(!Role.VIEWER.includes(Role.DEPLOYER));
    }

    @Test
    void secretsAreLongRandomAndPrefixed() {
        String a = Secrets.newToken();
        String b = Secrets.newToken();
        assertTrue(a.startsWith("rt_") && a.length() == 46 && !a.equals(b));
        assertEquals(64, Secrets.hash(a).length());
    }
}
