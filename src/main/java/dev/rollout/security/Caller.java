package dev.rollout.security;

/**
 * An authenticated caller: the name recorded as the actor of what it does (an API token's name or a
 * JWT's subject), its role ({@code null} when a JWT carries no role this service knows), and how it
 * authenticated.
 */
public record Caller(String name, Role role, Kind kind) {

    public enum Kind {
        API_TOKEN, JWT
    }

    public boolean has(Role required) {
        return role != null && role.includes(required);
    }
}
