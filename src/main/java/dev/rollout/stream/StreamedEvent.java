package dev.rollout.stream;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** The {@code data} of a streamed event: the history event as {@code /history} shows it, plus its rollout. */
public record StreamedEvent(long seq, UUID rolloutId, String action, Double fromPercentage, Double toPercentage,
        Instant at, String actor, String reason, Map<String, Object> details) {
}
