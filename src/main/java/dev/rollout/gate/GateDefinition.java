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
 * @param name        unique within the plan
 * @param kind        what the gate checks
 * @param query       PromQL for {@code target-up} and {@code query-threshold}
 * @param metrics     metric names or selectors for {@code metrics-present}
 * @param matchers    Alertmanager matchers for {@code no-firing-alerts}, e.g. {@code severity=~"warning|critical"}
 * @param condition   comparison for {@code query-threshold}, e.g. {@code < 0.01}
 * @param aggregate   optional reduction of a vector for {@code query-threshold}: min, max, sum or avg
 * @param source      name of a configured monitoring source; {@code null} means the default one
 * @param errorRatio  PromQL template with {@code $window} for {@code burn-rate}: the ratio of bad events
 * @param objective   the SLO of {@code burn-rate}, in (0, 1), e.g. 0.999
 * @param windows     the long/short window pairs of {@code burn-rate}; {@code null} means
 *                    {@link BurnRate#DEFAULT_WINDOWS}
 * @param canary      PromQL of the new version's side for {@code compare}
 * @param baseline    PromQL of the stable side for {@code compare}
 * @param maxIncrease how much worse the canary may be for {@code compare}: {@code "20%"} or {@code 0.05}
 * @param onFail      {@code PAUSE} or {@code ROLLBACK} when this gate FAILs; {@code null} means the plan's
 *                    {@code onViolation}
 * @param onError     {@code HOLD}, {@code PAUSE} or {@code ROLLBACK} when this gate is in ERROR; {@code null}
 *                    means {@code HOLD}
 * @param shadow      {@code true}: evaluated, recorded and shown, but never blocks and never triggers a policy;
 *                    {@code null} means {@code false}
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
        String errorRatio,
        Double objective,
        List<BurnWindow> windows,
        String canary,
        String baseline,
        MaxIncrease maxIncrease,
        String onFail,
        String onError,
        Boolean shadow) {

    @JsonCreator
    public GateDefinition {
        metrics = copy(metrics);
        matchers = copy(matchers);
        windows = copy(windows);
    }

    /**
     * A gate of the first four kinds (none of the burn-rate and compare fields) with the default policies
     * ({@code onFail} from the plan, {@code onError} HOLD, not a shadow).
     */
    public GateDefinition(String name, GateKind kind, String query, List<String> metrics, List<String> matchers,
            String condition, String aggregate, String source) {
        this(name, kind, query, metrics, matchers, condition, aggregate, source, null, null, null);
    }

    /** A gate of the first four kinds with its own policies. */
    public GateDefinition(String name, GateKind kind, String query, List<String> metrics, List<String> matchers,
            String condition, String aggregate, String source, String onFail, String onError, Boolean shadow) {
        this(name, kind, query, metrics, matchers, condition, aggregate, source, null, null, null, null, null, null,
                onFail, onError, shadow);
    }

    /** A gate of any kind with the default policies. */
    public GateDefinition(String name, GateKind kind, String query, List<String> metrics, List<String> matchers,
            String condition, String aggregate, String source, String errorRatio, Double objective,
            List<BurnWindow> windows, String canary, String baseline, MaxIncrease maxIncrease) {
        this(name, kind, query, metrics, matchers, condition, aggregate, source, errorRatio, objective, windows,
                canary, baseline, maxIncrease, null, null, null);
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

    /** A burn-rate gate; {@code windows} null for the defaults. */
    public static GateDefinition burnRate(String name, String errorRatio, Double objective, List<BurnWindow> windows) {
        return new GateDefinition(name, GateKind.BURN_RATE, null, null, null, null, null, null,
                errorRatio, objective, windows, null, null, null);
    }

    public static GateDefinition compare(String name, String canary, String baseline, MaxIncrease maxIncrease) {
        return new GateDefinition(name, GateKind.COMPARE, null, null, null, null, null, null,
                null, null, null, canary, baseline, maxIncrease);
    }

    public GateDefinition withAggregate(String aggregate) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source,
                errorRatio, objective, windows, canary, baseline, maxIncrease, onFail, onError, shadow);
    }

    public GateDefinition withSource(String source) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source,
                errorRatio, objective, windows, canary, baseline, maxIncrease, onFail, onError, shadow);
    }

    /** The same gate with its own policies ({@code null}: the default). */
    public GateDefinition withPolicies(String onFail, String onError) {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source,
                errorRatio, objective, windows, canary, baseline, maxIncrease, onFail, onError, shadow);
    }

    /** The same gate as a shadow: evaluated and recorded, never enforced. */
    public GateDefinition asShadow() {
        return new GateDefinition(name, kind, query, metrics, matchers, condition, aggregate, source,
                errorRatio, objective, windows, canary, baseline, maxIncrease, onFail, onError, Boolean.TRUE);
    }

    /** Whether the gate is a shadow (named so that JSON sees only the {@code shadow} component). */
    public boolean shadowed() {
        return Boolean.TRUE.equals(shadow);
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
