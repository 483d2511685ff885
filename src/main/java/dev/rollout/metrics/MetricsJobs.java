package dev.rollout.metrics;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/** Reconciles the database-backed gauges on a schedule. */
@ApplicationScoped
public class MetricsJobs {

    private final RolloutGauges gauges;
    private final ControllerMetrics metrics;

    public MetricsJobs(RolloutGauges gauges, ControllerMetrics metrics) {
        this.gauges = gauges;
        this.metrics = metrics;
    }

    @Scheduled(identity = "refresh-metrics", every = "${rollout.metrics.refresh-interval:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        gauges.reconcile();
        metrics.refreshBacklog();
    }
}
