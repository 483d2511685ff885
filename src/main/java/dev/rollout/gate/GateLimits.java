package dev.rollout.gate;

/**
 * Every size limit on a plan's gates, in one place. Each string is checked against its cap before it is
 * parsed, so no parser ever sees more than these many characters; docs/gates.md and docs/security.md list
 * the same numbers.
 */
public final class GateLimits {

    /** Gates per plan. */
    public static final int MAX_GATES = 32;
    /**
     * Monitoring requests one evaluation of a plan's gates may send: one per {@code target-up},
     * {@code query-threshold} and {@code no-firing-alerts} gate, one per metric of a {@code metrics-present} gate,
     * one per distinct window of a {@code burn-rate} gate, two per {@code compare} gate.
     */
    public static final int MAX_REQUESTS_PER_PLAN = 64;
    /** Characters of a gate name (also enforced by its character set). */
    public static final int MAX_NAME_LENGTH = 63;
    /** Characters of a monitoring source name. */
    public static final int MAX_SOURCE_LENGTH = 64;
    /**
     * Characters of a PromQL query: {@code query} of {@code target-up} and {@code query-threshold},
     * {@code errorRatio} of {@code burn-rate}, {@code canary} and {@code baseline} of {@code compare}.
     */
    public static final int MAX_QUERY_LENGTH = 4096;
    /** Entries of {@code metrics}. */
    public static final int MAX_METRICS = 64;
    /** Characters of one metric name or selector. */
    public static final int MAX_METRIC_LENGTH = 1024;
    /** Entries of {@code matchers}. */
    public static final int MAX_MATCHERS = 64;
    /** Characters of one Alertmanager matcher, name, operator and value together. */
    public static final int MAX_MATCHER_LENGTH = 1024;
    /** Depth of nested groups in a matcher's regular expression. */
    public static final int MAX_REGEX_NESTING = 32;
    /** Characters of a {@code query-threshold} condition such as {@code < 0.01}. */
    public static final int MAX_CONDITION_LENGTH = 64;
    /** Characters of an {@code aggregate} name. */
    public static final int MAX_AGGREGATE_LENGTH = 16;
    /** Window pairs of a {@code burn-rate} gate. */
    public static final int MAX_BURN_WINDOWS = 8;
    /** Characters of one {@code burn-rate} window such as {@code 30m}. */
    public static final int MAX_WINDOW_LENGTH = 32;
    /** The longest {@code burn-rate} window: an SLO's usual period. */
    public static final java.time.Duration MAX_WINDOW = java.time.Duration.ofDays(30);
    /** Characters of a {@code compare} gate's {@code maxIncrease} percentage such as {@code 20%}. */
    public static final int MAX_INCREASE_LENGTH = 32;

    private GateLimits() {
    }
}
