package dev.rollout.rollout;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/** The scheduled entry points; each only calls into the class that holds the rules. */
@ApplicationScoped
public class ControllerJobs {

    static final Duration MINIMUM_INTERVAL = Duration.ofSeconds(1);

    private final RolloutWatch watch;
    private final IdempotencyStore idempotency;
    private final Scheduler scheduler;
    private final WatchConfig config;
    private final WatchMembers members;

    public ControllerJobs(RolloutWatch watch, IdempotencyStore idempotency, Scheduler scheduler, WatchConfig config,
            WatchMembers members) {
        this.watch = watch;
        this.members = members;
        this.idempotency = idempotency;
        this.scheduler = scheduler;
        this.config = config;
    }

    /** The watch ticks every evaluation interval; a tick still running when the next is due skips that one. */
    void scheduleWatch(@Observes StartupEvent start) {
        Duration interval = config.evaluationInterval();
        if (interval.compareTo(MINIMUM_INTERVAL) < 0) {
            throw new IllegalArgumentException("rollout.evaluation-interval must be at least 1s, got " + interval);
        }
        if (config.lease().compareTo(interval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("rollout.watch.lease must be at least twice the evaluation interval ("
                    + interval + "), got " + config.lease());
        }
        scheduler.newJob("rollout-watch")
                .setInterval(interval.toString())
                .setDelayed("1s")
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> watch.scheduledTick())
                .schedule();
    }

    /** On a clean shutdown the others take this instance's rollouts at their next tick, not after a lease. */
    void leaveWatch(@Observes ShutdownEvent stop) {
        try {
            members.leave();
        } catch (RuntimeException e) {
            // the lease ends it anyway
        }
    }

    @Scheduled(identity = "purge-idempotency-keys", every = "1h", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeIdempotencyKeys() {
        idempotency.purgeOlderThanOneDay();
    }
}
