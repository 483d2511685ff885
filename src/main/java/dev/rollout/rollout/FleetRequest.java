package dev.rollout.rollout;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Reasons;
import dev.rollout.security.TargetScope;

/**
 * Body of the bulk {@code POST /rollouts/pause} and {@code /rollouts/resume}: every active rollout whose
 * target matches {@code target} (and of plan {@code plan}, when given), with one reason for all.
 */
public record FleetRequest(
        @Schema(required = true, description = "Target pattern, '*' matching any run of characters "
                + "(payments-*; * alone: every target in the caller's scope)") String target,
        @Schema(description = "Only rollouts of this plan (any version)") String plan,
        @Schema(required = true, description = "Why, recorded in each rollout's event") String reason) {

    /** The filter this request selects by; a 400 naming every problem (reason included) otherwise. */
    RolloutFilter filter(String what) {
        List<String> problems = new ArrayList<>();
        if (target == null || target.isEmpty()) {
            problems.add("target: is required, a target pattern ('*' for every target in scope)");
        } else {
            problems.addAll(RolloutFilter.targetProblems(target));
        }
        problems.addAll(RolloutFilter.planProblems(plan));
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        Reasons.check(reason, true, what);
        return new RolloutFilter(null, TargetScope.of(List.of(target)), plan);
    }
}
