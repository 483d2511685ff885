package dev.rollout.rollout;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/** The scheduled entry points; each only calls into the service that holds the rules. */
@ApplicationScoped
public class ControllerJobs {

    private final RolloutSupervisor supervisor;
    private final IdempotencyStore idempotency;
    /** One permit: taken by a pass of the watch, or by whoever holds the watch. */
    private final Semaphore watch = new Semaphore(1);
    private final AtomicBoolean held = new AtomicBoolean();

    public ControllerJobs(RolloutSupervisor supervisor, IdempotencyStore idempotency) {
        this.supervisor = supervisor;
        this.idempotency = idempotency;
    }

    @Scheduled(identity = "evaluate-rollouts", every = "${rollout.evaluation-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void evaluate() {
        if (!watch.tryAcquire()) {
            return; // the watch is held
        }
        try {
            supervisor.runOnce();
        } finally {
            watch.release();
        }
    }

    /**
     * Holds the scheduled watch: waits for a pass in progress to finish, then no scheduled pass runs
     * until {@link #releaseWatch()}. Whoever holds it owns the moment: nothing the controller would do
     * by itself happens in between, except passes run explicitly through {@link RolloutSupervisor#runOnce()}.
     * Holding an already held watch does nothing.
     */
    public void holdWatch() {
        if (held.compareAndSet(false, true)) {
            watch.acquireUninterruptibly();
        }
    }

    /** Lets the scheduled watch run again; does nothing when it is not held. */
    public void releaseWatch() {
        if (held.compareAndSet(true, false)) {
            watch.release();
        }
    }

    @Scheduled(identity = "purge-idempotency-keys", every = "1h", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeIdempotencyKeys() {
        idempotency.purgeOlderThanOneDay();
    }
}
