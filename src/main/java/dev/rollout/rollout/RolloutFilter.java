package dev.rollout.rollout;

import java.util.ArrayList;
import java.util.List;

import dev.rollout.plan.PlanValidator;
import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.QueryParams;
import dev.rollout.security.TargetScope;

/**
 * Which rollouts a fleet read or a bulk command is about: a state, a target pattern (the syntax of token
 * target scopes: {@code *} matches any run of characters, so matching is {@link TargetScope}'s) and a plan
 * name. Each part may be absent (no filter). The caller's own scope applies on top, in the query.
 */
public record RolloutFilter(RolloutState state, TargetScope target, String plan) {

    public static final RolloutFilter NONE = new RolloutFilter(null, null, null);

    /** {@code GET /rollouts?state=&target=&plan=}, each checked strictly; a bad one is a 400 naming it. */
    public static RolloutFilter of(QueryParams query) {
        RolloutState state = query.enumeration("state", RolloutState.class);
        String target = query.single("target");
        String plan = query.single("plan");
        List<String> problems = new ArrayList<>();
        target = blankToNull(target);
        plan = blankToNull(plan);
        problems.addAll(targetProblems(target));
        problems.addAll(planProblems(plan));
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        return new RolloutFilter(state, target == null ? null : TargetScope.of(List.of(target)), plan);
    }

    /** What is wrong with {@code pattern} as a target filter, if anything (absent is fine). */
    static List<String> targetProblems(String pattern) {
        return pattern == null ? List.of() : TargetScope.problems("target", List.of(pattern)).stream()
                .map(p -> p.replace("target[0]", "target")).toList();
    }

    /** What is wrong with {@code name} as a plan filter, if anything (absent is fine). */
    static List<String> planProblems(String name) {
        return name == null || PlanValidator.NAME.matcher(name).matches() ? List.of()
                : List.of("plan: must be a plan name, 1-100 characters of letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit");
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
