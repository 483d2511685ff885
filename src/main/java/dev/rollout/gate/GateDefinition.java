package dev.rollout.gate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
 */
public record GateDefinition(
        String name,
        GateKind kind,
        String query,
        List<String> metrics,
        List<String> matchers,
        String condition,
        String aggregate,
        String source) {

    public GateDefinition {
        metrics = copy(metrics);
        matchers = copy(matchers);
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
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source);
    }

    public GateDefinition withSource(String source) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source);
    }

    private static List<String> copy(List<String> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
