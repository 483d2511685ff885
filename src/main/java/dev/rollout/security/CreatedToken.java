package dev.rollout.security;

import java.time.Instant;
import java.util.List;

/**
 * The answer to {@code POST /tokens}: the only time the secret {@code token} is ever shown. {@code targets}
 * is {@code null} for a token that may act on every target.
 */
public record CreatedToken(String name, String role, String token, Instant createdAt, Instant expiresAt,
        List<String> targets) {
}
