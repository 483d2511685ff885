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
     * {@code query-threshold} and {@code no-firing-alerts} gate, one per metric of a {@code metrics-present} gate.
     */
    public static final int MAX_REQUESTS_PER_PLAN = 64;
    /** Characters of a gate name (also enforced by its character set). */
    public static final int MAX_NAME_LENGTH = 63;
    /** Characters of a monitoring source name. */
    public static final int MAX_SOURCE_LENGTH = 64;
    /** Characters of a PromQL query ({@code target-up}, {@code query-threshold}). */
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

    private GateLimits() {
    }
}
