package dev.rollout.history;

import java.time.Instant;
import java.util.Map;

/** A history event in responses. */
public record EventView(long seq, String action, Double fromPercentage, Double toPercentage, Instant at,
        String actor, String reason, Map<String, Object> details) {

    public static EventView of(DeploymentEvent e) {
        return new EventView(e.seq, e.action, e.fromPercentage, e.toPercentage, e.at, e.actor, e.reason, e.details);
    }
}
