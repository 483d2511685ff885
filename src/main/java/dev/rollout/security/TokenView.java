package dev.rollout.security;

import java.time.Instant;

/** A token as listed: never its secret, never its hash. */
public record TokenView(String name, String role, boolean active, Instant createdAt, String createdBy,
        Instant expiresAt, Instant revokedAt, String revokedBy) {
}
