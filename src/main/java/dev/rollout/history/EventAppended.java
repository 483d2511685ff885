package dev.rollout.history;

import dev.rollout.rollout.Rollout;

/**
 * Fired synchronously by {@link History#append} inside the transaction that appends the event, so that
 * observers (the outbox of events going out) write in that same transaction: the event and everything
 * derived from it commit or roll back together. {@code details} is the typed form of the row's JSON (rows
 * appended with plain JDBC do not carry the map form). {@code rollout} is the rollout as the event leaves
 * it when the appender has it at hand; null when observers must read it from the session, where the change
 * holds it.
 */
public record EventAppended(DeploymentEvent event, EventDetails details, Rollout rollout) {

    public EventAppended(DeploymentEvent event, EventDetails details) {
        this(event, details, null);
    }
}
