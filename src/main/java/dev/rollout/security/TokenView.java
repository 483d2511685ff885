package dev.rollout.security;

import java.time.Instant;
import java.util.List;

/** A token as listed: never its secret, never its hash. {@code targets} is {@code null} for every target. */
public record TokenView(String name, String role, boolean active, Instant createdAt, String createdBy,
        Instant expiresAt, Instant revokedAt, String revokedBy, List<String> targets) {
}
