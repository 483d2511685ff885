package dev.rollout.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * The deliverer's schedule; the pass itself lives in {@link OutboxDeliverer}. The interval is
 * {@link OutboxConfig#interval()}, whose default the expression sees as a configuration default.
 */
@ApplicationScoped
public class OutboxJobs {

    private final OutboxDeliverer deliverer;

    public OutboxJobs(OutboxDeliverer deliverer) {
        this.deliverer = deliverer;
    }

    @Scheduled(identity = "deliver-outbox", every = "${rollout.outbox.interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliver() {
        deliverer.runOnce();
    }
}
