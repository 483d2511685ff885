package dev.rollout.push;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Notifications received by this instance, and the evaluations they woke here (from any instance). */
@ApplicationScoped
public class PushMetrics {

    private final Counter received;
    private final Counter wakeUps;

    public PushMetrics(MeterRegistry registry) {
        received = Counter.builder("rollout.push.notifications")
                .description("Alertmanager notifications this instance received").register(registry);
        wakeUps = Counter.builder("rollout.push.evaluations")
                .description("Evaluations out of schedule requested here by an Alertmanager notification "
                        + "(received by any instance)")
                .register(registry);
    }

    void received() {
        received.increment();
    }

    void wakeUp() {
        wakeUps.increment();
    }
}
