package dev.rollout.security;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rollout.problem.ApiProblem;
import io.quarkus.arc.Arc;

/**
 * Where the current caller's {@link TargetScope} is enforced: services ask it before acting on a target,
 * and before showing a rollout. Outside a request (the watch, start-up) the service acts for itself and
 * every target is in scope.
 */
@ApplicationScoped
public class ScopeGuard {

    private final CurrentActor actor;

    public ScopeGuard(CurrentActor actor) {
        this.actor = actor;
    }

    /** The current caller's scope; every target outside a request. */
    public TargetScope scope() {
        if (!Arc.container().requestContext().isActive()) {
            return TargetScope.ALL;
        }
        return actor.caller().map(Caller::scope).orElse(TargetScope.ALL);
    }

    /** Whether the caller may see rollouts of {@code target}; others are answered as not found. */
    public boolean sees(String target) {
        return scope().allows(target);
    }

    /** Refuses with 403 {@code out-of-scope} unless the caller may act on {@code target}. */
    public void requireTarget(String target) {
        if (!scope().allows(target)) {
            throw new ApiProblem(403, "out-of-scope", "Out of scope", "this credential is limited to targets "
                    + scope().patterns() + "; '" + target + "' is not one of them; nothing was changed")
                    .with("targets", scope().patterns());
        }
    }

    /** Refuses with 403 {@code out-of-scope} a credential limited to targets: {@code what} spans them all. */
    public void requireUnscoped(String what) {
        if (!scope().isAll()) {
            throw new ApiProblem(403, "out-of-scope", "Out of scope", "a credential limited to targets cannot "
                    + what + "; use one without a target scope").with("targets", scope().patterns());
        }
    }
}
