package dev.rollout.security;

/** Body of {@code POST /tokens}. {@code expiresAt} is an ISO-8601 instant such as {@code 2027-01-31T00:00:00Z}. */
public record TokenRequest(String name, String role, String expiresAt) {
}
