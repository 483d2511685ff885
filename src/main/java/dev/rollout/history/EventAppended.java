package dev.rollout.history;

/**
 * Fired synchronously by {@link History#append} inside the transaction that appends the event, so that
 * observers (the outbox of events going out) write in that same transaction: the event and everything
 * derived from it commit or roll back together. {@code details} is the typed form of the row's JSON.
 */
public record EventAppended(DeploymentEvent event, EventDetails details) {
}
