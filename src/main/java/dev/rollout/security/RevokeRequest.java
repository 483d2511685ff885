package dev.rollout.security;

/** Optional body of {@code DELETE /tokens/{name}}: a {@code reason}, recorded in the audit log. */
public record RevokeRequest(String reason) {
}
