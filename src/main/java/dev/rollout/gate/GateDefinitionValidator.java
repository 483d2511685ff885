package dev.rollout.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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

    /** {@code $window} running into an identifier: {@code $window_total} is not the placeholder. */
    private static final Pattern WINDOW_RUN_ON = Pattern.compile("\\$window[A-Za-z0-9_]");

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
                problems.add(path + ".kind: required, one of " + java.util.Arrays.stream(GateKind.values())
                        .map(GateKind::jsonName).collect(java.util.stream.Collectors.joining(", ")));
                continue;
            }
            validateFields(gate, path, problems);
        }
        int requests = requests(gates);
        if (requests > GateLimits.MAX_REQUESTS_PER_PLAN) {
            problems.add("gates: at most " + GateLimits.MAX_REQUESTS_PER_PLAN + " monitoring requests per evaluation"
                    + " are allowed (one per target-up, query-threshold and no-firing-alerts gate, one per metric of a"
                    + " metrics-present gate, one per distinct window of a burn-rate gate, two per compare gate),"
                    + " these gates need " + requests);
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
            requests += switch (gate.kind()) {
                case METRICS_PRESENT -> gate.metrics() == null ? 0 : gate.metrics().size();
                case BURN_RATE -> BurnRate.distinctWindows(BurnRate.windows(gate)).size();
                case COMPARE -> 2;
                default -> 1;
            };
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
        boolean burnRate = kind == GateKind.BURN_RATE;
        boolean compare = kind == GateKind.COMPARE;

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

        if (burnRate) {
            validateBurnRate(gate, path, problems);
        } else {
            absent(gate.errorRatio(), "errorRatio", kind, path, problems);
            absent(gate.objective(), "objective", kind, path, problems);
            absent(gate.windows(), "windows", kind, path, problems);
        }

        if (compare) {
            promql(gate.canary(), path + ".canary", kind, problems);
            promql(gate.baseline(), path + ".baseline", kind, problems);
            if (gate.maxIncrease() == null || gate.maxIncrease().value() == null) {
                problems.add(path + ".maxIncrease: required for kind " + kind
                        + ", a percentage of the baseline such as \"20%\" or an absolute increase such as 0.05");
            } else {
                try {
                    gate.maxIncrease().allowance();
                } catch (IllegalArgumentException e) {
                    problems.add(path + ".maxIncrease: " + e.getMessage());
                }
            }
        } else {
            absent(gate.canary(), "canary", kind, path, problems);
            absent(gate.baseline(), "baseline", kind, path, problems);
            absent(gate.maxIncrease(), "maxIncrease", kind, path, problems);
        }
    }

    /** A required PromQL string within its cap; true when it is. */
    private static boolean promql(String text, String field, GateKind kind, List<String> problems) {
        if (text == null || text.isBlank()) {
            problems.add(field + ": required for kind " + kind);
            return false;
        }
        if (text.length() > MAX_QUERY_LENGTH) {
            problems.add(field + ": at most " + MAX_QUERY_LENGTH + " characters, got " + text.length());
            return false;
        }
        return true;
    }

    private static void validateBurnRate(GateDefinition gate, String path, List<String> problems) {
        GateKind kind = gate.kind();
        String ratio = gate.errorRatio();
        if (promql(ratio, path + ".errorRatio", kind, problems)) {
            if (!ratio.contains(BurnRate.WINDOW)) {
                problems.add(path + ".errorRatio: must contain " + BurnRate.WINDOW + " where each window goes, e.g. "
                        + "sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))");
            } else if (WINDOW_RUN_ON.matcher(ratio).find()) {
                problems.add(path + ".errorRatio: " + BurnRate.WINDOW + " must not be followed by a letter, digit or"
                        + " '_' (it would run into the name after it)");
            }
        }
        Double objective = gate.objective();
        boolean objectiveValid = objective != null && Double.isFinite(objective) && objective > 0 && objective < 1;
        if (objective == null) {
            problems.add(path + ".objective: required for kind " + kind + ", the SLO as a fraction such as 0.999");
        } else if (!objectiveValid) {
            problems.add(path + ".objective: must be greater than 0 and less than 1, e.g. 0.999 for 99.9 %, got "
                    + Values.format(objective));
        }
        List<BurnWindow> windows = gate.windows();
        if (windows == null) {
            return; // the defaults
        }
        String field = path + ".windows";
        if (windows.isEmpty()) {
            problems.add(field + ": at least 1 pair of windows; leave windows out for the defaults "
                    + "[{1h, 5m, 14.4}, {6h, 30m, 6}]");
            return;
        }
        if (windows.size() > GateLimits.MAX_BURN_WINDOWS) {
            problems.add(field + ": at most " + GateLimits.MAX_BURN_WINDOWS + " pairs of windows, got " + windows.size());
            return;
        }
        for (int j = 0; j < windows.size(); j++) {
            String pairPath = field + "[" + j + "]";
            BurnWindow pair = windows.get(j);
            if (pair == null) {
                problems.add(pairPath + ": must be an object with long, short and factor");
                continue;
            }
            Optional<Duration> longWindow = window(pair.longWindow(), pairPath + ".long", problems);
            Optional<Duration> shortWindow = window(pair.shortWindow(), pairPath + ".short", problems);
            if (longWindow.isPresent() && shortWindow.isPresent()
                    && shortWindow.get().compareTo(longWindow.get()) >= 0) {
                problems.add(pairPath + ".short: must be shorter than long (" + pair.longWindow() + "), got "
                        + pair.shortWindow());
            }
            Double factor = pair.factor();
            if (factor == null) {
                problems.add(pairPath + ".factor: required, the burn rate that counts as burning, e.g. 14.4");
            } else if (!Double.isFinite(factor) || factor <= 0) {
                problems.add(pairPath + ".factor: must be a number greater than 0, got " + Values.format(factor));
            } else if (objectiveValid && BurnRate.threshold(objective, factor) >= 1) {
                problems.add(pairPath + ".factor: factor × (1 − objective) = "
                        + Values.compact(BurnRate.threshold(objective, factor)) + " is 1 or more, which no error ratio"
                        + " exceeds: the pair could never fail; at most " + Values.compact(1 / (1 - objective))
                        + " is meaningful");
            }
        }
    }

    private static Optional<Duration> window(String text, String field, List<String> problems) {
        if (text == null || text.isEmpty()) {
            problems.add(field + ": required, a Prometheus duration such as 5m or 1h");
            return Optional.empty();
        }
        if (text.length() > GateLimits.MAX_WINDOW_LENGTH) {
            problems.add(field + ": at most " + GateLimits.MAX_WINDOW_LENGTH + " characters, got " + text.length());
            return Optional.empty();
        }
        Optional<Duration> duration = PromDuration.parse(text);
        if (duration.isEmpty()) {
            problems.add(field + ": must be a Prometheus duration such as 30s, 5m, 1h or 1h30m (units y, w, d, h, m,"
                    + " s, ms), got '" + Values.abbreviate(text, 32) + "'");
        } else if (duration.get().isZero()) {
            problems.add(field + ": must be longer than 0, got '" + text + "'");
            return Optional.empty();
        } else if (duration.get().compareTo(GateLimits.MAX_WINDOW) > 0) {
            problems.add(field + ": at most " + GateLimits.MAX_WINDOW.toDays() + "d, got '" + text + "'");
            return Optional.empty();
        }
        return duration;
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
