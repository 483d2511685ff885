package dev.rollout.rollout;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer of a bulk pause or resume: the rollouts it changed, and the matching active ones it left as
 * they were because their state does not allow the command.
 */
public record FleetResult(
        @Schema(description = "The rollouts paused (or resumed), each with its own event") List<UUID> acted,
        @Schema(description = "Matching active rollouts left unchanged, and why") List<Skipped> skipped) {

    /** {@code reason} is the refusal the single command would answer ({@code not-progressing}, {@code not-paused}). */
    public record Skipped(UUID id, String reason, RolloutState state) {
    }
}
