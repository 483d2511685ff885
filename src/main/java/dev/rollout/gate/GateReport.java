package dev.rollout.gate;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The verdict of one evaluation of a rollout's gates: every result, in the plan's order. An empty
 * report (a plan without gates) passes. Shadow gates are in the results but never block: {@link #passed()}
 * and {@link #failing()} are about the enforced gates only.
 */
public record GateReport(List<GateResult> results) {

    public static final GateReport NONE = new GateReport(List.of());

    /** No enforced gate blocks (a shadow gate that fails does not count). */
    public boolean passed() {
        return results.stream().noneMatch(GateResult::blocks);
    }

    public boolean isEmpty() {
        return results.isEmpty();
    }

    /** The enforced gates that did not pass. */
    public List<GateResult> failing() {
        return results.stream().filter(GateResult::blocks).toList();
    }

    /** The shadow gates that did not pass: recorded, never enforced. */
    public List<GateResult> shadowFailing() {
        return results.stream().filter(r -> r.shadow() && !r.passed()).toList();
    }

    /** "name STATUS, ..." of the enforced gates that did not pass, for reasons and details people read. */
    public String failingSummary() {
        return summary(failing());
    }

    /** As {@link #failingSummary()}, for the shadow gates. */
    public String shadowSummary() {
        return summary(shadowFailing());
    }

    /**
     * What these results ask for under {@code gates}' policies: each enforced gate that FAILs asks for its
     * {@code onFail} (else {@code planOnFail}, the plan's {@code onViolation}), each in ERROR for its
     * {@code onError} (else HOLD); the strongest wins. Shadow gates and gates that pass ask for nothing.
     */
    public GateResponse response(List<GateDefinition> gates, GateResponse planOnFail) {
        Map<String, GateDefinition> byName = gates == null ? Map.of() : gates.stream()
                .collect(Collectors.toMap(GateDefinition::name, Function.identity(), (a, b) -> a));
        GateResponse response = GateResponse.NONE;
        for (GateResult result : failing()) {
            GateDefinition gate = byName.get(result.name());
            GateResponse asked;
            if (result.status() == GateStatus.ERROR) {
                asked = gate == null ? GateResponse.HOLD : GateResponse.onError(gate);
            } else {
                asked = gate == null ? planOnFail : GateResponse.onFail(gate, planOnFail);
            }
            response = response.max(asked);
        }
        return response;
    }

    private static String summary(List<GateResult> results) {
        return results.stream().map(r -> r.name() + " " + r.status()).collect(Collectors.joining(", "));
    }
}
