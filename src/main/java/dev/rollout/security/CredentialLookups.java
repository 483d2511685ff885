package dev.rollout.security;

import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a credential the verification cache does not know may cost: a database lookup, and only within two
 * bounds, so that a flood of made-up tokens cannot drain the connection pool.
 * <ul>
 * <li>per client address, at most {@code perAddressPerSecond} lookups that find nothing (a bucket that refills
 * continuously and holds one second's worth); a lookup takes from the bucket before it is made, and a
 * lookup that finds an active token gives it back, so valid credentials never use up an address's budget;</li>
 * <li>for the whole instance, at most {@code maxInFlight} lookups at once, each waiting at most
 * {@code wait} for its turn.</li>
 * </ul>
 * Beyond either bound the lookup is not made: {@link Refused} says when to try again (429).
 */
public final class CredentialLookups {

    /** The lookup was not made; nothing was asked of the database. */
    public static final class Refused extends RuntimeException {
        private final long retryAfterSeconds;
        private final boolean perAddress;

        Refused(long retryAfterSeconds, boolean perAddress) {
            super(perAddress ? "failed-authentication budget of the client address used up"
                    : "too many credential lookups in progress", null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
            this.perAddress = perAddress;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** True when the client address's budget was used up; false when the instance was busy. */
        public boolean perAddress() {
            return perAddress;
        }
    }

    private static final long SECOND_NANOS = 1_000_000_000L;
    /** Above this many addresses, full buckets are dropped; above twice as many, all are. */
    private static final int PRUNE_ABOVE = 10_000;

    private final int perAddressPerSecond;
    private final Semaphore inFlight;
    private final long waitNanos;
    private final TokenBuckets buckets;

    /**
     * @param perAddressPerSecond lookups finding nothing per client address and second; 0 for no such budget
     * @param maxInFlight         lookups at once for the whole instance; at least 1
     * @param waitNanos           how long a lookup waits for its turn
     */
    public CredentialLookups(int perAddressPerSecond, int maxInFlight, long waitNanos, LongSupplier nanoTime) {
        if (maxInFlight < 1) {
            throw new IllegalStateException("rollout.rate-limit.credential-lookups-in-flight must be at least 1");
        }
        this.perAddressPerSecond = Math.max(0, perAddressPerSecond);
        this.inFlight = new Semaphore(maxInFlight, true);
        this.waitNanos = Math.max(0, waitNanos);
        this.buckets = new TokenBuckets(SECOND_NANOS, PRUNE_ABOVE, nanoTime);
    }

    /**
     * Makes the lookup {@code load} for a request from {@code address}, within the bounds.
     *
     * @param found whether the result names an active credential (then the address's budget is given back)
     * @throws Refused when a bound says no; {@code load} was not called
     */
    public <T> T lookup(String address, Supplier<T> load, Predicate<T> found) {
        String key = address == null ? "unknown" : address;
        take(key);
        boolean acquired;
        try {
            acquired = inFlight.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            giveBack(key);
            throw new Refused(1, false);
        }
        T result;
        try {
            result = load.get();
        } catch (RuntimeException e) {
            giveBack(key); // the database failed, not the credential
            throw e;
        } finally {
            inFlight.release();
        }
        if (found.test(result)) {
            giveBack(key);
        }
        return result;
    }

    private void take(String key) {
        if (perAddressPerSecond == 0) {
            return;
        }
        OptionalLong retryAfter = buckets.take(key, perAddressPerSecond);
        if (retryAfter.isPresent()) {
            throw new Refused(retryAfter.getAsLong(), true);
        }
    }

    private void giveBack(String key) {
        if (perAddressPerSecond != 0) {
            buckets.giveBack(key, perAddressPerSecond);
        }
    }
}
