package dev.rollout.security;

import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;

import dev.rollout.problem.ApiProblem;

/**
 * Who is making the current request, as recorded in every history event: the API token's name or the
 * JWT's subject. {@link AuthFilter} sets it after authenticating the request; API methods never run
 * without it.
 */
@RequestScoped
public class CurrentActor {

    /** The name used when no caller is known; API requests never act under it. */
    public static final String ANONYMOUS = "anonymous";

    private Caller caller;

    /** Called by {@link AuthFilter} once the request is authenticated. */
    public void set(Caller caller) {
        this.caller = caller;
    }

    public Optional<Caller> caller() {
        return Optional.ofNullable(caller);
    }

    public String name() {
        return caller == null ? ANONYMOUS : caller.name();
    }

    /** Refuses with 403 unless the caller holds at least {@code role}. */
    public void require(Role role, String what) {
        if (caller == null || !caller.has(role)) {
            throw AuthFilter.forbidden(role, what);
        }
    }
}
