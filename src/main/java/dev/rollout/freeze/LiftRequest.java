package dev.rollout.freeze;

/** Body of {@code DELETE /freezes/{name}}: the {@code reason} for lifting it, required, recorded in the audit log. */
public record LiftRequest(String reason) {
}
