package dev.rollout.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * Reconciles the database-backed gauges on a schedule, every {@link MetricsConfig#refreshInterval()}.
 * The job is scheduled from the mapping at start-up, so the interval and its default are read in one place.
 */
@ApplicationScoped
public class MetricsJobs {

    private final RolloutGauges gauges;
    private final ControllerMetrics metrics;
    private final MetricsConfig config;

    public MetricsJobs(RolloutGauges gauges, ControllerMetrics metrics, MetricsConfig config) {
        this.gauges = gauges;
        this.metrics = metrics;
        this.config = config;
    }

    void schedule(@Observes StartupEvent start, Scheduler scheduler) {
        scheduler.newJob("refresh-metrics")
                .setInterval(config.refreshInterval().toString())
                .setDelayed("1s")
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> refresh())
                .schedule();
    }

    void refresh() {
        gauges.reconcile();
        metrics.refreshBacklog();
    }
}
