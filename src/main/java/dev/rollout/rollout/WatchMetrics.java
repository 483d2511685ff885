package dev.rollout.rollout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The watch's own metrics: how long ticks take, how many rollouts and gate requests each had, how long
 * since every watched rollout was last evaluated, and ticks that overran their interval.
 */
@ApplicationScoped
public class WatchMetrics {

    private final MeterRegistry registry;
    private final Timer tick;
    private final Counter overruns;
    private final AtomicInteger watched = new AtomicInteger();
    private final AtomicInteger members = new AtomicInteger();
    private final AtomicInteger gateRequests = new AtomicInteger();
    /** System.nanoTime() at the start of the last tick that completed; every rollout it owned was evaluated. */
    private final AtomicLong lastCompleteTickStart = new AtomicLong(System.nanoTime());

    public WatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.tick = Timer.builder("rollout.watch.tick").description("Duration of one tick of the watch")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.overruns = Counter.builder("rollout.watch.overruns")
                .description("Ticks that took longer than the evaluation interval").register(registry);
        Gauge.builder("rollout.watch.rollouts", watched, AtomicInteger::get)
                .description("Active rollouts this instance evaluated in its last tick").register(registry);
        Gauge.builder("rollout.watch.members", members, AtomicInteger::get)
                .description("Live instances sharing the watch, as this instance saw them").register(registry);
        Gauge.builder("rollout.watch.gate.requests", gateRequests, AtomicInteger::get)
                .description("Monitoring requests sent by the last tick (identical requests are sent once)")
                .register(registry);
        Gauge.builder("rollout.watch.lag", lastCompleteTickStart,
                start -> (System.nanoTime() - start.get()) / 1e9)
                .description("Age of the oldest evaluation among the rollouts this instance watches")
                .baseUnit("seconds").register(registry);
    }

    /** Records a completed tick; answers whether it overran the interval. */
    boolean completed(long startedNanos, Duration interval, int watchedRollouts, int liveMembers, int requests) {
        long took = System.nanoTime() - startedNanos;
        tick.record(Duration.ofNanos(took));
        watched.set(watchedRollouts);
        members.set(liveMembers);
        gateRequests.set(requests);
        lastCompleteTickStart.set(startedNanos);
        boolean overran = took > interval.toNanos();
        if (overran) {
            overruns.increment();
        }
        return overran;
    }

    /** Records an evaluation out of schedule (push detection) of {@code rollouts} rollouts. */
    void evaluatedSoon(long startedNanos, int rollouts) {
        Timer.builder("rollout.watch.soon").description("Duration of an evaluation out of schedule, asked for "
                + "by an Alertmanager notification").register(registry).record(Duration.ofNanos(System.nanoTime() - startedNanos));
        Counter.builder("rollout.watch.soon.rollouts").description("Rollouts evaluated out of schedule")
                .register(registry).increment(rollouts);
    }

    void acted(WatchRules.WatchAction action) {
        Counter.builder("rollout.watch.actions").description("Changes the watch made, by kind")
                .tag("action", action.name().toLowerCase()).register(registry).increment();
    }
}
