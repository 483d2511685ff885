package dev.rollout.history;

import java.util.UUID;

/**
 * An event about to be appended: what a transition of a rollout returns. The database adds its sequence
 * number and time when {@link History} appends it.
 */
public record HistoryEvent(UUID rolloutId, Double fromPercentage, Double toPercentage, String actor, String reason,
        EventDetails details) {

    public Action action() {
        return details.action();
    }
}
