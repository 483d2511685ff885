package dev.rollout.security;

import java.time.Instant;

/** The answer to {@code POST /tokens}: the only time the secret {@code token} is ever shown. */
public record CreatedToken(String name, String role, String token, Instant createdAt, Instant expiresAt) {
}
