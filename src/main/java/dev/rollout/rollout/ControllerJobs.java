package dev.rollout.rollout;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/** The scheduled entry points; each only calls into the service that holds the rules. */
@ApplicationScoped
public class ControllerJobs {

    private final RolloutSupervisor supervisor;
    private final IdempotencyStore idempotency;

    public ControllerJobs(RolloutSupervisor supervisor, IdempotencyStore idempotency) {
        this.supervisor = supervisor;
        this.idempotency = idempotency;
    }

    @Scheduled(identity = "evaluate-rollouts", every = "${rollout.evaluation-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void evaluate() {
        supervisor.runOnce();
    }

    @Scheduled(identity = "purge-idempotency-keys", every = "1h", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeIdempotencyKeys() {
        idempotency.purgeOlderThanOneDay();
    }
}
