package dev.rollout.gate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the gates of a plan before it is stored. Returns every problem found, each prefixed with
 * the field path, e.g. {@code gates[2].condition: ...}; an empty list means the gates are valid.
 *
 * <p>Every string is measured against its cap in {@link GateLimits} before anything parses it, and messages
 * quote at most a short prefix of what was sent.
 */
public final class GateDefinitionValidator {

    public static final int MAX_GATES = GateLimits.MAX_GATES;
    public static final int MAX_QUERY_LENGTH = GateLimits.MAX_QUERY_LENGTH;
    public static final int MAX_METRICS = GateLimits.MAX_METRICS;
    public static final int MAX_METRIC_LENGTH = GateLimits.MAX_METRIC_LENGTH;
    public static final int MAX_MATCHERS = GateLimits.MAX_MATCHERS;
    /** Bounded by {@link GateLimits#MAX_NAME_LENGTH}: a longer name fails after that many characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (GateLimits.MAX_NAME_LENGTH - 1) + "}");

    private GateDefinitionValidator() {
    }

    /**
     * @param gates        the plan's gates; {@code null} is treated as no gates
     * @param knownSources names of the configured named monitoring sources ({@code source} may also be
     *                     absent, meaning the default source)
     */
    public static List<String> validate(List<GateDefinition> gates, Set<String> knownSources) {
        List<String> problems = new ArrayList<>();
        if (gates == null) {
            return problems;
        }
        if (gates.size() > MAX_GATES) {
            problems.add("gates: at most " + MAX_GATES + " gates are allowed, got " + gates.size());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < gates.size(); i++) {
            String path = "gates[" + i + "]";
            GateDefinition gate = gates.get(i);
            if (gate == null) {
                problems.add(path + ": must not be null");
                continue;
            }
            validateName(gate.name(), path, names, problems);
            validateSource(gate.source(), path, knownSources, problems);
            validatePolicies(gate, path, problems);
            if (gate.kind() == null) {
                problems.add(path + ".kind: required, one of target-up, metrics-present, no-firing-alerts, query-threshold");
                continue;
            }
            validateFields(gate, path, problems);
        }
        int requests = requests(gates);
        if (requests > GateLimits.MAX_REQUESTS_PER_PLAN) {
            problems.add("gates: at most " + GateLimits.MAX_REQUESTS_PER_PLAN + " monitoring requests per evaluation"
                    + " are allowed (one per target-up, query-threshold and no-firing-alerts gate, one per metric of a"
                    + " metrics-present gate), these gates need " + requests);
        }
        return problems;
    }

    /** How many monitoring requests one evaluation of these gates sends at most. */
    public static int requests(List<GateDefinition> gates) {
        int requests = 0;
        for (GateDefinition gate : gates) {
            if (gate == null || gate.kind() == null) {
                continue;
            }
            requests += gate.kind() == GateKind.METRICS_PRESENT ? (gate.metrics() == null ? 0 : gate.metrics().size()) : 1;
        }
        return requests;
    }

    private static void validateName(String name, String path, Set<String> seen, List<String> problems) {
        if (name == null || name.isEmpty()) {
            problems.add(path + ".name: required");
        } else if (!NAME.matcher(name).matches()) {
            problems.add(path + ".name: must be 1-63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        } else if (!seen.add(name)) {
            problems.add(path + ".name: duplicate gate name '" + name + "'");
        }
    }

    private static void validateSource(String source, String path, Set<String> knownSources, List<String> problems) {
        if (source != null && source.length() > GateLimits.MAX_SOURCE_LENGTH) {
            problems.add(path + ".source: at most " + GateLimits.MAX_SOURCE_LENGTH + " characters, got "
                    + source.length());
        } else if (source != null && !knownSources.contains(source)) {
            problems.add(path + ".source: unknown monitoring source '" + Values.abbreviate(source, 64) + "'"
                    + (knownSources.isEmpty() ? ", no named sources are configured"
                    : ", configured: " + String.join(", ", new java.util.TreeSet<>(knownSources))));
        }
    }

    private static void validatePolicies(GateDefinition gate, String path, List<String> problems) {
        if (gate.onFail() != null && !gate.onFail().equals("PAUSE") && !gate.onFail().equals("ROLLBACK")) {
            problems.add(path + ".onFail: must be PAUSE or ROLLBACK (default: the plan's onViolation), got '"
                    + Values.abbreviate(gate.onFail(), 32) + "'");
        }
        if (gate.onError() != null && !gate.onError().equals("HOLD") && !gate.onError().equals("PAUSE")
                && !gate.onError().equals("ROLLBACK")) {
            problems.add(path + ".onError: must be HOLD, PAUSE or ROLLBACK (default: HOLD), got '"
                    + Values.abbreviate(gate.onError(), 32) + "'");
        }
    }

    private static void validateFields(GateDefinition gate, String path, List<String> problems) {
        GateKind kind = gate.kind();
        boolean needsQuery = kind == GateKind.TARGET_UP || kind == GateKind.QUERY_THRESHOLD;
        boolean needsMetrics = kind == GateKind.METRICS_PRESENT;
        boolean needsMatchers = kind == GateKind.NO_FIRING_ALERTS;
        boolean needsCondition = kind == GateKind.QUERY_THRESHOLD;

        if (needsQuery) {
            if (gate.query() == null || gate.query().isBlank()) {
                problems.add(path + ".query: required for kind " + kind);
            } else if (gate.query().length() > MAX_QUERY_LENGTH) {
                problems.add(path + ".query: at most " + MAX_QUERY_LENGTH + " characters, got " + gate.query().length());
            }
        } else {
            absent(gate.query(), "query", kind, path, problems);
        }

        if (needsMetrics) {
            validateList(gate.metrics(), path + ".metrics", kind, MAX_METRICS, problems, (item, itemPath) -> {
                if (item.isBlank()) {
                    problems.add(itemPath + ": must not be blank");
                } else if (item.length() > MAX_METRIC_LENGTH) {
                    problems.add(itemPath + ": at most " + MAX_METRIC_LENGTH + " characters, got " + item.length());
                }
            });
        } else {
            absent(gate.metrics(), "metrics", kind, path, problems);
        }

        if (needsMatchers) {
            validateList(gate.matchers(), path + ".matchers", kind, MAX_MATCHERS, problems, (item, itemPath) -> {
                if (item.length() > GateLimits.MAX_MATCHER_LENGTH) {
                    problems.add(itemPath + ": at most " + GateLimits.MAX_MATCHER_LENGTH + " characters, got "
                            + item.length());
                    return;
                }
                try {
                    AlertMatcher.parse(item);
                } catch (IllegalArgumentException e) {
                    problems.add(itemPath + ": " + e.getMessage());
                }
            });
        } else {
            absent(gate.matchers(), "matchers", kind, path, problems);
        }

        if (needsCondition) {
            if (gate.condition() == null) {
                problems.add(path + ".condition: required for kind " + kind + ", e.g. \"< 0.01\"");
            } else if (gate.condition().length() > GateLimits.MAX_CONDITION_LENGTH) {
                problems.add(path + ".condition: at most " + GateLimits.MAX_CONDITION_LENGTH + " characters, got "
                        + gate.condition().length());
            } else {
                try {
                    Condition.parse(gate.condition());
                } catch (IllegalArgumentException e) {
                    problems.add(path + ".condition: " + e.getMessage());
                }
            }
            if (gate.aggregate() != null && (gate.aggregate().length() > GateLimits.MAX_AGGREGATE_LENGTH
                    || Aggregate.fromName(gate.aggregate()).isEmpty())) {
                problems.add(path + ".aggregate: must be one of min, max, sum, avg");
            }
        } else {
            absent(gate.condition(), "condition", kind, path, problems);
            absent(gate.aggregate(), "aggregate", kind, path, problems);
        }
    }

    private interface ItemCheck {
        void check(String item, String itemPath);
    }

    private static void validateList(List<String> list, String path, GateKind kind, int max, List<String> problems,
                                     ItemCheck check) {
        if (list == null || list.isEmpty()) {
            problems.add(path + ": required for kind " + kind + ", 1 to " + max + " entries");
            return;
        }
        if (list.size() > max) {
            problems.add(path + ": at most " + max + " entries, got " + list.size());
        }
        for (int j = 0; j < list.size(); j++) {
            String item = list.get(j);
            if (item == null) {
                problems.add(path + "[" + j + "]: must not be null");
            } else {
                check.check(item, path + "[" + j + "]");
            }
        }
    }

    private static void absent(Object value, String field, GateKind kind, String path, List<String> problems) {
        if (value != null) {
            problems.add(path + "." + field + ": not allowed for kind " + kind);
        }
    }
}
