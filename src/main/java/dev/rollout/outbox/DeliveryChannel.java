package dev.rollout.outbox;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A destination of outgoing events (Grafana annotations, step webhooks). The outbox asks each channel,
 * inside the event's transaction, what it would send; later the deliverer hands the stored payload back
 * to the channel to send, retrying with backoff until the channel reports it delivered, or until the
 * channel's bound of attempts is reached and the row is given up.
 */
public interface DeliveryChannel {

    /** The channel's name in the outbox table and in metric labels: a short constant. */
    String name();

    /**
     * What to send for this event, fixed now so that every attempt sends the same thing; empty when the
     * channel is off (not configured) or does not want this event. Must not contain secrets.
     */
    Optional<ObjectNode> payloadFor(RolloutEvent event);

    /**
     * What to send for an audit entry (one that is not about a rollout: a freeze created or lifted); empty, the
     * default, when the channel does not carry audit entries. The outbox adds the entry's time, text and tags
     * from the {@code audit_annotation} view as it queues the row.
     */
    default Optional<ObjectNode> payloadForAudit(dev.rollout.audit.AuditAppended entry) {
        return Optional.empty();
    }

    /**
     * True when the stored payload also gets the event's {@code text} and {@code tags} from the
     * {@code rollout_annotation} view: the outbox adds them in the statement that queues the row, so they
     * cost no query of their own.
     */
    default boolean withAnnotation() {
        return false;
    }

    /**
     * Sends one stored payload. {@code previousAttempts} is how many earlier attempts were started for it;
     * when it is above zero an earlier attempt may have reached the receiver without its success being
     * recorded, and a channel that can check for that (Grafana can) must check before sending again.
     */
    Result deliver(OutboxRow row);

    /**
     * Attempts a row gets (the first included) before it is given up; 0, the default: retried until
     * delivered.
     */
    default int maxAttempts() {
        return 0;
    }

    /**
     * Gives a row up after its last attempt ({@code attempts} made, the last failing with {@code error}):
     * marks it with {@link Outbox#givenUp} and, in the same transaction, does what the channel must about an
     * event that never arrived. Returns false when {@code instance} no longer holds the row's claim.
     */
    default boolean giveUp(OutboxRow row, int attempts, String error, String instance, Outbox outbox) {
        return outbox.givenUp(row, instance, error);
    }

    sealed interface Result {
    }

    /** Delivered now, or found already delivered by an earlier attempt ({@code deduplicated}). */
    record Delivered(String externalId, boolean deduplicated) implements Result {
    }

    /** Not delivered; {@code error} is safe to store and log (no secrets). Retried, within the bound. */
    record Failed(String error) implements Result {
    }

    /** Can never be delivered (no attempt could succeed): given up at once, without further attempts. */
    record Undeliverable(String error) implements Result {
    }
}
