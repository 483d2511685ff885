package dev.rollout.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.rollout.wake.Topic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.rollout.wake.WakeListener;
import dev.rollout.wake.Wakeups;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Advance requests that asked to wait ({@code advance?wait=PT10M}) and were refused with a refusal that time
 * or monitoring can lift ({@link WaitRules#waitable}). A held request is a future and two timers: it holds no
 * thread, no database connection and no lock. It is tried again
 * <ul>
 * <li>when its rollout has a new event, from any instance ({@link Topic#EVENTS}): a step, a pause, an
 * approval, a violation;</li>
 * <li>when something says gates may have changed ({@link Topic#EVALUATE});</li>
 * <li>when its dwell ends, or at the next evaluation interval for the other refusals
 * ({@link WaitRules#nextTry});</li>
 * <li>once more when its wait runs out; that try's answer is the request's answer.</li>
 * </ul>
 * Tries run on {@code rollout.wait.retry-threads} threads, each with a connection permit of its own
 * ({@link ConnectionReserve#withPermit}), and record no refusal: the call was recorded when first refused.
 * A try of a request already being tried is folded into the running one (it runs once more after it).
 * On shutdown every held request is answered at once with its latest refusal.
 */
@ApplicationScoped
public class HeldAdvances {

    private static final Logger LOG = Logger.getLogger(HeldAdvances.class);
    /** A try refused with concurrent-change (the rollout moved meanwhile) is repeated after this. */
    private static final Duration AFTER_CONCURRENT_CHANGE = Duration.ofMillis(50);

    /** What a held request asks: the same advance as the first call. */
    public record Call(UUID rolloutId, String actor, String idempotencyKey, String overrideReason) {
    }

    private final RolloutService rollouts;
    private final ConnectionReserve reserve;
    private final Wakeups wakeups;
    private final WaitConfig config;
    private final Duration evaluationInterval;
    private final Map<UUID, Set<Held>> byRollout = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ScheduledExecutorService timers;
    private final ExecutorService tries;

    public HeldAdvances(RolloutService rollouts, ConnectionReserve reserve, Wakeups wakeups, WaitConfig config,
            WatchConfig watch, MeterRegistry registry) {
        this.rollouts = rollouts;
        this.reserve = reserve;
        this.wakeups = wakeups;
        this.config = config;
        this.evaluationInterval = watch.evaluationInterval();
        this.timers = Executors.newSingleThreadScheduledExecutor(daemon("rollout-wait-timer"));
        this.tries = Executors.newFixedThreadPool(Math.max(1, config.retryThreads()), daemon("rollout-wait-try"));
        Gauge.builder("rollout.advances.held", held, AtomicInteger::get)
                .description("advance?wait= requests this instance holds now").register(registry);
    }

    void start(@Observes StartupEvent started) {
        wakeups.subscribe(Topic.EVENTS, new WakeListener() {
            @Override
            public void onWake(String payload) {
                rolloutOf(payload).map(byRollout::get).ifPresent(set -> set.forEach(h -> tryAgain(h, false)));
            }

            @Override
            public void onReconnected() {
                all().forEach(h -> tryAgain(h, false));
            }
        });
        wakeups.subscribe(Topic.EVALUATE, payload -> all().forEach(h -> tryAgain(h, false)));
    }

    /**
     * Holds {@code call}, first refused with {@code refused}, for at most {@code wait}; empty when it cannot
     * be held (no wait asked, the instance stopping, or {@code rollout.wait.max-held} requests already held):
     * the caller then answers the refusal at once. The future completes with the answer, or exceptionally
     * with the refusal (or failure) to answer; cancelling it forgets the held call.
     */
    public Optional<CompletableFuture<RolloutService.Answer>> hold(Call call, RolloutRefused refused, Duration wait) {
        if (wait.isZero() || stopping.get()) {
            return Optional.empty();
        }
        if (held.incrementAndGet() > config.maxHeld()) {
            held.decrementAndGet();
            LOG.infof("%d advance requests already held; answering at once", config.maxHeld());
            return Optional.empty();
        }
        Held h = new Held(call, refused, System.nanoTime() + wait.toNanos());
        // Cancelled when its client went away: forgotten at once rather than tried until the wait runs out.
        h.answer.whenComplete((answer, failure) -> {
            if (h.answer.isCancelled()) {
                finish(h, null, null);
            }
        });
        byRollout.computeIfAbsent(call.rolloutId(), id -> ConcurrentHashMap.newKeySet()).add(h);
        h.timeout = timers.schedule(() -> tryAgain(h, true), wait.toNanos(), TimeUnit.NANOSECONDS);
        scheduleNextTry(h, WaitRules.nextTry(refused, evaluationInterval));
        if (stopping.get()) {
            finish(h, null, h.latest); // raced with shutdown
        }
        return Optional.of(h.answer);
    }

    /** How many requests this instance holds now. */
    public int held() {
        return held.get();
    }

    /**
     * On shutdown every held request is answered at once with its latest refusal: when shutdown begins
     * (before the HTTP server waits for requests in flight, {@code quarkus.shutdown.delay-enabled}), and
     * again, for any that came meanwhile, on {@link ShutdownEvent}.
     */
    void shuttingDown(@Observes ShutdownDelayInitiatedEvent begins) {
        stop(null);
    }

    void stop(@Observes @Priority(1) ShutdownEvent stopping) {
        this.stopping.set(true);
        all().forEach(h -> finish(h, null, h.latest));
        timers.shutdownNow();
        tries.shutdown();
    }

    private void tryAgain(Held h, boolean last) {
        if (h.answer.isDone()) {
            return;
        }
        if (last) {
            h.last = true;
        }
        if (!h.trying.compareAndSet(false, true)) {
            h.again = true; // folded into the try running now: it goes once more when that one ends
            return;
        }
        try {
            tries.execute(() -> run(h));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            finish(h, null, h.latest); // stopping
        }
    }

    private void run(Held h) {
        try {
            h.again = false;
            boolean last = h.last || System.nanoTime() - h.deadline >= 0;
            RolloutService.Answer answer;
            try {
                Call call = h.call;
                answer = reserve.withPermit(() -> rollouts.advance(call.rolloutId(), call.actor(),
                        call.idempotencyKey(), call.overrideReason(), false));
            } catch (RolloutRefused refused) {
                if (last || stopping.get()) {
                    finish(h, null, refused);
                } else if (refused.refusal() == Refusal.CONCURRENT_CHANGE) {
                    scheduleNextTry(h, AFTER_CONCURRENT_CHANGE);
                } else if (WaitRules.waitable(refused)) {
                    h.latest = refused;
                    scheduleNextTry(h, WaitRules.nextTry(refused, evaluationInterval));
                } else {
                    finish(h, null, refused); // the rollout stopped progressing: answered at once
                }
                return;
            } catch (RuntimeException e) {
                finish(h, null, e);
                return;
            }
            finish(h, answer, null);
        } finally {
            h.trying.set(false);
            if ((h.again || h.last) && !h.answer.isDone()) {
                tryAgain(h, h.last);
            }
        }
    }

    private void scheduleNextTry(Held h, Duration delay) {
        long remaining = h.deadline - System.nanoTime();
        ScheduledFuture<?> previous = h.nextTry;
        if (previous != null) {
            previous.cancel(false);
        }
        if (delay.toNanos() < remaining) { // otherwise the timeout's last try comes first
            try {
                h.nextTry = timers.schedule(() -> tryAgain(h, false), Math.max(0, delay.toNanos()),
                        TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                finish(h, null, h.latest); // stopping
            }
        }
    }

    private void finish(Held h, RolloutService.Answer answer, Throwable failure) {
        if (!h.done.compareAndSet(false, true)) {
            return;
        }
        Set<Held> set = byRollout.get(h.call.rolloutId());
        if (set != null) {
            set.remove(h);
            if (set.isEmpty()) {
                byRollout.remove(h.call.rolloutId(), set);
            }
        }
        held.decrementAndGet();
        cancel(h.timeout);
        cancel(h.nextTry);
        if (failure != null) {
            h.answer.completeExceptionally(failure);
        } else {
            h.answer.complete(answer);
        }
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private List<Held> all() {
        return byRollout.values().stream().flatMap(Set::stream).toList();
    }

    /** The rollout a {@link Topic#EVENTS} payload ({@code <rolloutId>:<seq>}) names. */
    static Optional<UUID> rolloutOf(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        try {
            return colon < 0 ? Optional.empty() : Optional.of(UUID.fromString(payload.substring(0, colon)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class Held {
        final Call call;
        final long deadline;
        final CompletableFuture<RolloutService.Answer> answer = new CompletableFuture<>();
        final AtomicBoolean trying = new AtomicBoolean();
        final AtomicBoolean done = new AtomicBoolean();
        volatile RolloutRefused latest;
        volatile boolean again;
        volatile boolean last;
        volatile ScheduledFuture<?> timeout;
        volatile ScheduledFuture<?> nextTry;

        Held(Call call, RolloutRefused first, long deadline) {
            this.call = call;
            this.latest = first;
            this.deadline = deadline;
        }
    }
}
