package dev.rollout.outbox;

import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A destination of outgoing events (Grafana annotations, step webhooks). The outbox asks each channel,
 * inside the event's transaction, what it would send; later the deliverer hands the stored payload back
 * to the channel to send, retrying with backoff until the channel reports it delivered.
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

    sealed interface Result {
    }

    /** Delivered now, or found already delivered by an earlier attempt ({@code deduplicated}). */
    record Delivered(String externalId, boolean deduplicated) implements Result {
    }

    /** Not delivered; {@code error} is safe to store and log (no secrets). */
    record Failed(String error) implements Result {
    }
}
