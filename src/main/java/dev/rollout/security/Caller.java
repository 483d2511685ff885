package dev.rollout.security;

/**
 * An authenticated caller: the name recorded as the actor of what it does (an API token's name, or a
 * JWT's {@code <subject>@<issuer host>}), its role ({@code null} when a JWT carries no role this service
 * knows), how it authenticated, and the targets it may act on. The name identifies one credential: token
 * names are never reused and never contain {@code @}; JWT names always do.
 */
public record Caller(String name, Role role, Kind kind, TargetScope scope) {

    public enum Kind {
        API_TOKEN, JWT
    }

    public Caller {
        scope = scope == null ? TargetScope.ALL : scope;
    }

    /** A caller that may act on every target. */
    public Caller(String name, Role role, Kind kind) {
        this(name, role, kind, TargetScope.ALL);
    }

    public boolean has(Role required) {
        return role != null && role.includes(required);
    }
}
