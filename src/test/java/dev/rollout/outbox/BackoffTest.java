package dev.rollout.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheInitialWaitUpToTheCap() {
        Duration initial = Duration.ofSeconds(1);
        Duration max = Duration.ofMinutes(5);
        assertEquals(Duration.ofSeconds(1), Backoff.after(1, initial, max));
        assertEquals(Duration.ofSeconds(2), Backoff.after(2, initial, max));
        assertEquals(Duration.ofSeconds(4), Backoff.after(3, initial, max));
        assertEquals(Duration.ofSeconds(256), Backoff.after(9, initial, max));
        assertEquals(max, Backoff.after(10, initial, max));
        assertEquals(max, Backoff.after(1_000_000, initial, max));
    }

    @Test
    void aBoundedChannelGivesUpAfterItsLastAttemptAndAnUnboundedOneNever() {
        assertFalse(Backoff.exhausted(1, 3));
        assertFalse(Backoff.exhausted(2, 3));
        assertTrue(Backoff.exhausted(3, 3));
        assertTrue(Backoff.exhausted(4, 3));
        assertFalse(Backoff.exhausted(1_000_000, 0));
    }
}
