package dev.rollout.gate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.rollout.gate.GateRules.Reading;
import dev.rollout.gate.GateRules.Verdict;

/**
 * The pass rule of a {@code burn-rate} gate (multiwindow, multi-burn-rate, as in Google's SRE workbook), applied
 * to the error ratios already read per window. No I/O.
 *
 * <p>With an objective {@code o}, the error budget is {@code 1 − o}; a pair of windows burns when the error ratio
 * over <em>both</em> its long and its short window exceeds {@code factor × (1 − o)}. The gate FAILs when any pair
 * burns. A window with no value (no data, NaN, several series, an unreachable Prometheus) makes it ERROR,
 * unless a pair burns anyway: a burn that both windows confirm is a fact whatever another window says.
 */
public final class BurnRate {

    /** The pairs a gate without {@code windows} uses: the workbook's page-worthy fast and slow burns. */
    public static final List<BurnWindow> DEFAULT_WINDOWS = List.of(
            BurnWindow.of("1h", "5m", 14.4), BurnWindow.of("6h", "30m", 6));

    /** The placeholder of the {@code errorRatio} template. */
    public static final String WINDOW = "$window";

    private static final int QUERY_IN_DETAIL = 200;

    private BurnRate() {
    }

    /** The pairs a gate uses: its own, or the defaults. */
    public static List<BurnWindow> windows(GateDefinition gate) {
        return gate.windows() == null ? DEFAULT_WINDOWS : gate.windows();
    }

    /** The distinct windows of {@code pairs}, long then short, in order: one query each. */
    public static Set<String> distinctWindows(List<BurnWindow> pairs) {
        Set<String> windows = new LinkedHashSet<>();
        for (BurnWindow pair : pairs) {
            if (pair != null) {
                if (pair.longWindow() != null) {
                    windows.add(pair.longWindow());
                }
                if (pair.shortWindow() != null) {
                    windows.add(pair.shortWindow());
                }
            }
        }
        return windows;
    }

    /** The query for one window: every {@code $window} of the template replaced by it. */
    public static String query(String errorRatio, String window) {
        return errorRatio.replace(WINDOW, window);
    }

    /** The ratio above which a pair with this factor burns: {@code factor × (1 − objective)}. */
    public static double threshold(double objective, double factor) {
        return factor * (1 - objective);
    }

    /**
     * The verdict, with the evidence: the template, the objective, and per pair the value seen over each window
     * and the threshold.
     *
     * @param readings the error ratio read over each window of {@link #distinctWindows}
     */
    static Verdict verdict(String errorRatio, double objective, List<BurnWindow> pairs, Map<String, Reading> readings) {
        boolean burning = false;
        boolean unknown = false;
        List<String> shown = new ArrayList<>();
        Set<String> problems = new LinkedHashSet<>();
        String budget = Values.compact(1 - objective);
        for (BurnWindow pair : pairs) {
            double threshold = threshold(objective, pair.factor());
            Reading lng = readings.get(pair.longWindow());
            Reading shrt = readings.get(pair.shortWindow());
            String seen = pair.longWindow() + " = " + value(lng) + ", " + pair.shortWindow() + " = " + value(shrt);
            String limit = Values.compact(threshold) + " (" + Values.compact(pair.factor()) + " × " + budget + ")";
            if (lng.ok() && shrt.ok()) {
                boolean pairBurns = lng.value() > threshold && shrt.value() > threshold;
                burning |= pairBurns;
                shown.add(pair.longWindow() + "/" + pair.shortWindow() + ": " + seen
                        + (pairBurns ? ", both over " : ", not both over ") + limit);
            } else {
                unknown = true;
                shown.add(pair.longWindow() + "/" + pair.shortWindow() + ": " + seen + ", threshold " + limit);
                if (!lng.ok()) {
                    problems.add(pair.longWindow() + ": " + lng.problem());
                }
                if (!shrt.ok()) {
                    problems.add(pair.shortWindow() + ": " + shrt.problem());
                }
            }
        }
        String evidence = String.join("; ", shown) + "; errorRatio: " + Values.abbreviate(errorRatio, QUERY_IN_DETAIL);
        String objectiveText = "objective " + Values.compact(objective);
        if (burning) {
            return Verdict.fail("error budget burning too fast for " + objectiveText + ": " + evidence);
        }
        if (unknown) {
            return Verdict.error("cannot tell the burn rate for " + objectiveText + ": " + String.join("; ", problems)
                    + "; " + evidence);
        }
        return Verdict.pass("error budget burn within limits for " + objectiveText + ": " + evidence);
    }

    private static String value(Reading reading) {
        return reading.ok() ? Values.compact(reading.value()) : "no value";
    }
}
