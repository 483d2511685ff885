package dev.rollout.push;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.wake.Topic;
import dev.rollout.wake.Wakeups;
import io.quarkus.runtime.StartupEvent;

/**
 * Push detection: an Alertmanager notification received by any instance makes every instance evaluate, at
 * once, the rollouts it watches whose gates the notified alerts could affect ({@link AffectedPlans}). The
 * notification is a trigger, never the truth: the evaluation asks Alertmanager and Prometheus as a tick
 * does, so a forged or stale notification cannot pause or roll back anything by itself.
 */
@ApplicationScoped
public class PushDetection {

    private static final Logger LOG = Logger.getLogger(PushDetection.class);

    private final Wakeups wakeups;
    private final RolloutWatch watch;
    private final ObjectMapper json;
    private final PushMetrics metrics;

    public PushDetection(Wakeups wakeups, RolloutWatch watch, ObjectMapper json, PushMetrics metrics) {
        this.wakeups = wakeups;
        this.watch = watch;
        this.json = json;
        this.metrics = metrics;
    }

    void listen(@Observes StartupEvent started) {
        wakeups.subscribe(Topic.EVALUATE, payload -> {
            metrics.wakeUp();
            watch.evaluateSoon(AffectedPlans.fromPayload(payload, json).asPredicate());
        });
    }

    /** Accepts a notification (400 {@code invalid-notification} if it is not one) and wakes every instance. */
    public int accept(AlertmanagerNotification notification) {
        List<Map<String, String>> labelSets = AffectedPlans.labelSets(notification);
        metrics.received();
        wakeups.publish(Topic.EVALUATE, AffectedPlans.payload(labelSets, json));
        LOG.debugf("Alertmanager notification about %d alert(s): evaluating the rollouts they could affect",
                labelSets.size());
        return labelSets.size();
    }
}
