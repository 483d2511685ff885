package dev.rollout.gate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * One health gate of a plan, exactly as it appears in the plan JSON.
 *
 * <p>Which fields apply depends on {@link #kind()}; {@link GateDefinitionValidator} checks that a
 * definition is complete and consistent. Lists keep {@code null} elements so that the validator
 * can report them instead of the JSON reader failing on them.
 *
 * @param name      unique within the plan
 * @param kind      what the gate checks
 * @param query     PromQL for {@code target-up} and {@code query-threshold}
 * @param metrics   metric names or selectors for {@code metrics-present}
 * @param matchers  Alertmanager matchers for {@code no-firing-alerts}, e.g. {@code severity=~"warning|critical"}
 * @param condition comparison for {@code query-threshold}, e.g. {@code < 0.01}
 * @param aggregate optional reduction of a vector for {@code query-threshold}: min, max, sum or avg
 * @param source    name of a configured monitoring source; {@code null} means the default one
 * @param onFail    {@code PAUSE} or {@code ROLLBACK} when this gate FAILs; {@code null} means the plan's
 *                  {@code onViolation}
 * @param onError   {@code HOLD}, {@code PAUSE} or {@code ROLLBACK} when this gate is in ERROR; {@code null}
 *                  means {@code HOLD}
 * @param shadow    {@code true}: evaluated, recorded and shown, but never blocks and never triggers a policy;
 *                  {@code null} means {@code false}
 */
public record GateDefinition(
        String name,
        GateKind kind,
        String query,
        List<String> metrics,
        List<String> matchers,
        String condition,
        String aggregate,
        String source,
        String onFail,
        String onError,
        Boolean shadow) {

    @JsonCreator
    public GateDefinition {
        metrics = copy(metrics);
        matchers = copy(matchers);
    }

    /** A gate with the default policies ({@code onFail} from the plan, {@code onError} HOLD, not a shadow). */
    public GateDefinition(String name, GateKind kind, String query, List<String> metrics, List<String> matchers,
            String condition, String aggregate, String source) {
        this(name, kind, query, metrics, matchers, condition, aggregate, source, null, null, null);
    }

    public static GateDefinition targetUp(String name, String query) {
        return new GateDefinition(name, GateKind.TARGET_UP, query, null, null, null, null, null);
    }

    public static GateDefinition metricsPresent(String name, List<String> metrics) {
        return new GateDefinition(name, GateKind.METRICS_PRESENT, null, metrics, null, null, null, null);
    }

    public static GateDefinition noFiringAlerts(String name, List<String> matchers) {
        return new GateDefinition(name, GateKind.NO_FIRING_ALERTS, null, null, matchers, null, null, null);
    }

    public static GateDefinition queryThreshold(String name, String query, String condition) {
        return new GateDefinition(name, GateKind.QUERY_THRESHOLD, query, null, null, condition, null, null);
    }

    public GateDefinition withAggregate(String aggregate) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source, onFail, onError,
                shadow);
    }

    public GateDefinition withSource(String source) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source, onFail, onError,
                shadow);
    }

    /** The same gate with its own policies ({@code null}: the default). */
    public GateDefinition withPolicies(String onFail, String onError) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source, onFail, onError,
                shadow);
    }

    /** The same gate as a shadow: evaluated and recorded, never enforced. */
    public GateDefinition asShadow() {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source, onFail, onError,
                Boolean.TRUE);
    }

    /** Whether the gate is a shadow (named so that JSON sees only the {@code shadow} component). */
    public boolean shadowed() {
        return Boolean.TRUE.equals(shadow);
    }

    private static List<String> copy(List<String> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
