package dev.rollout.gate;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Bounds how many monitoring requests are in flight at once, for the whole service (every watch tick and
 * every advance), so that no number of rollouts or gates can turn into an unbounded burst against
 * Prometheus or Alertmanager. Requests beyond the bound wait in a queue, and leave it fairly: by
 * <em>rank</em>, the position of the request within its own rollout's evaluation, so that every rollout's
 * first request is sent before any rollout's second. A rollout whose gates ask for many slow queries
 * therefore delays its own evaluation, not the others'. Each request, once sent, is bounded by its
 * endpoint's timeouts; the waiting is not (see docs/gates.md, "Bounds").
 *
 * <p>Plain Java, no runtime: tests build it directly.
 */
public final class MonitoringRequests {

    private record Waiting(int rank, long sequence, Runnable start) implements Comparable<Waiting> {
        @Override
        public int compareTo(Waiting other) {
            return rank != other.rank ? Integer.compare(rank, other.rank) : Long.compare(sequence, other.sequence);
        }
    }

    /**
     * Starts of waiting requests made while another start is running on this thread: a request that fails
     * at once (a misconfigured source) completes inline, and starting the next one from there would recurse
     * through the whole queue.
     */
    private static final ThreadLocal<ArrayDeque<Runnable>> STARTING = new ThreadLocal<>();

    private final int maxInFlight;
    private final PriorityQueue<Waiting> queue = new PriorityQueue<>();
    private int inFlight;
    private long sequence;
    private int largestInFlight;

    /** @param maxInFlight at most this many requests are sent at once; at least 1 */
    public MonitoringRequests(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("rollout.monitoring.max-concurrent-requests must be at least 1, got "
                    + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
    }

    /** No bound at all (tests that do not care). */
    public static MonitoringRequests unbounded() {
        return new MonitoringRequests(Integer.MAX_VALUE);
    }

    /**
     * Sends {@code request} now if fewer than the bound are in flight, else once it is its turn. The returned
     * future completes as the request's does; a request that throws fails it.
     */
    public <T> CompletableFuture<T> submit(int rank, Supplier<CompletableFuture<T>> request) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<T> sent;
            try {
                sent = request.get();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((value, error) -> {
                finished();
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        };
        boolean now;
        synchronized (this) {
            now = inFlight < maxInFlight;
            if (now) {
                inFlight++;
                largestInFlight = Math.max(largestInFlight, inFlight);
            } else {
                queue.add(new Waiting(rank, sequence++, start));
            }
        }
        if (now) {
            startWithoutRecursion(start);
        }
        return result;
    }

    /** A request ended: the next waiting one takes its place. */
    private void finished() {
        Waiting next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            startWithoutRecursion(next.start());
        }
    }

    private static void startWithoutRecursion(Runnable start) {
        ArrayDeque<Runnable> pending = STARTING.get();
        if (pending != null) {
            pending.add(start);
            return;
        }
        pending = new ArrayDeque<>();
        STARTING.set(pending);
        try {
            for (Runnable next = start; next != null; next = pending.poll()) {
                next.run();
            }
        } finally {
            STARTING.remove();
        }
    }

    /** Requests in flight right now. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** Requests waiting for their turn right now. */
    public synchronized int waiting() {
        return queue.size();
    }

    /** The most requests ever in flight at once. */
    public synchronized int largestInFlight() {
        return largestInFlight;
    }
}
