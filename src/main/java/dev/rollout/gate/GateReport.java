package dev.rollout.gate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The verdict of one evaluation of a rollout's gates: every result, in the plan's order. An empty
 * report (a plan without gates) passes.
 */
public record GateReport(List<GateResult> results) {

    public static final GateReport NONE = new GateReport(List.of());

    public boolean passed() {
        return results.stream().allMatch(GateResult::passed);
    }

    public boolean isEmpty() {
        return results.isEmpty();
    }

    public List<GateResult> failing() {
        return results.stream().filter(r -> !r.passed()).toList();
    }

    /** "name STATUS, ..." of the gates that did not pass, for reasons and details people read. */
    public String failingSummary() {
        return failing().stream().map(r -> r.name() + " " + r.status()).collect(Collectors.joining(", "));
    }
}
