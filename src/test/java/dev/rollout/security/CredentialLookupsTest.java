package dev.rollout.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The bounds on database lookups of unknown credentials. No database: the lookup is a counter. */
class CredentialLookupsTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger asked = new AtomicInteger();

    private Optional<String> unknown() {
        asked.incrementAndGet();
        return Optional.empty();
    }

    private Optional<String> known() {
        asked.incrementAndGet();
        return Optional.of("ci");
    }

    @Test
    void unknownCredentialsCostABoundedNumberOfLookupsPerAddressAndSecond() {
        CredentialLookups lookups = new CredentialLookups(5, 4, 0, nanos::get);
        for (int i = 0; i < 5; i++) {
            lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent);
        }
        CredentialLookups.Refused refused = assertThrows(CredentialLookups.Refused.class,
                () -> lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent));
        assertTrue(refused.perAddress());
        assertEquals(1, refused.retryAfterSeconds());
        for (int i = 0; i < 1000; i++) {
            assertThrows(CredentialLookups.Refused.class, () -> lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent));
        }
        assertEquals(5, asked.get(), "refused lookups ask nothing");
        // Another address has its own budget; and the budget refills with time.
        lookups.lookup("10.0.0.2", this::unknown, Optional::isPresent);
        nanos.addAndGet(200_000_000L);
        lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent);
        assertEquals(7, asked.get());
    }

    @Test
    void validCredentialsNeverUseUpTheBudget() {
        CredentialLookups lookups = new CredentialLookups(2, 4, 0, nanos::get);
        for (int i = 0; i < 100; i++) {
            assertEquals(Optional.of("ci"), lookups.lookup("10.0.0.1", this::known, Optional::isPresent));
        }
        lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent);
        lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent);
        assertThrows(CredentialLookups.Refused.class, () -> lookups.lookup("10.0.0.1", this::unknown, Optional::isPresent));
    }

    @Test
    void atMostTheBoundOfLookupsAtOnceForTheWholeInstance() throws Exception {
        CredentialLookups lookups = new CredentialLookups(0, 2, 0, nanos::get);
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Runnable slow = () -> lookups.lookup("10.0.0." + inside.getCount(), () -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }, Optional::isPresent);
        Thread first = new Thread(slow);
        Thread second = new Thread(slow);
        first.start();
        second.start();
        inside.await();
        CredentialLookups.Refused refused = assertThrows(CredentialLookups.Refused.class,
                () -> lookups.lookup("10.0.0.9", this::unknown, Optional::isPresent));
        assertFalse(refused.perAddress());
        assertEquals(0, asked.get());
        release.countDown();
        first.join();
        second.join();
        lookups.lookup("10.0.0.9", this::unknown, Optional::isPresent);
        assertEquals(1, asked.get());
    }
}
