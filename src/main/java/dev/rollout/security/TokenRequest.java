package dev.rollout.security;

import java.util.List;

/**
 * Body of {@code POST /tokens}. {@code expiresAt} is an ISO-8601 instant such as {@code 2027-01-31T00:00:00Z};
 * {@code targets} (optional) limits the token to rollouts of matching targets ({@code payments-*});
 * {@code reason} (optional) is recorded in the audit log.
 */
public record TokenRequest(String name, String role, String expiresAt, List<String> targets, String reason) {
}
