package dev.rollout.outbox;

import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One claimed outbox row. {@code attempts} includes the attempt now being made. */
public record OutboxRow(long id, long eventSeq, UUID rolloutId, String channel, ObjectNode payload, int attempts) {

    /** Attempts started before this one: if any, one of them may have reached the receiver. */
    public int previousAttempts() {
        return attempts - 1;
    }
}
