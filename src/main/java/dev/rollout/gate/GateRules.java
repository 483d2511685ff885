package dev.rollout.gate;

import dev.rollout.gate.InstantQueryResult.ResultType;
import dev.rollout.gate.InstantQueryResult.Sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The pass rules of each gate kind, applied to answers already fetched. No I/O. */
final class GateRules {

    /**
     * Status and human-readable detail of one check, and what was {@code observed} for the evidence (the values
     * or alerts seen; null: the evaluator shows the detail instead).
     */
    record Verdict(GateStatus status, String detail, String observed) {

        Verdict(GateStatus status, String detail) {
            this(status, detail, null);
        }

        static Verdict pass(String detail) {
            return new Verdict(GateStatus.PASS, detail);
        }

        static Verdict fail(String detail) {
            return new Verdict(GateStatus.FAIL, detail);
        }

        static Verdict error(String detail) {
            return new Verdict(GateStatus.ERROR, detail);
        }

        Verdict observed(String observed) {
            return new Verdict(status, detail, observed);
        }

        /** Equal when a person reads the same: {@code observed} restates part of the detail for the evidence. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Verdict v && status == v.status && java.util.Objects.equals(detail, v.detail);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(status, detail);
        }
    }

    private static final int QUERY_IN_DETAIL = 200;
    private static final int LISTED_SERIES = 10;
    private static final int LISTED_ALERT_NAMES = 20;

    private GateRules() {
    }

    /** At least one series and every value exactly 1. */
    static Verdict targetUp(String query, InstantQueryResult result) {
        String q = shown(query);
        if (result.type() != ResultType.VECTOR) {
            return wrongType(q, result, "an instant vector");
        }
        List<Sample> samples = result.samples();
        if (samples.isEmpty()) {
            return Verdict.fail("no data for " + q).observed("no data");
        }
        List<Sample> notUp = samples.stream().filter(s -> s.value() != 1.0).toList();
        if (notUp.isEmpty()) {
            return Verdict.pass(q + ": " + count(samples.size(), "series") + ", all 1")
                    .observed(count(samples.size(), "series") + ", all 1");
        }
        return Verdict.fail(q + " is not 1 for " + notUp.size() + " of " + count(samples.size(), "series") + ": "
                + listSeries(notUp))
                .observed(notUp.size() + " of " + count(samples.size(), "series") + " not 1: " + listSeries(notUp));
    }

    /** At least one (fresh) series; Prometheus already drops stale series from instant queries. */
    static Verdict metricPresent(String metric, InstantQueryResult result) {
        String m = shown(metric);
        if (result.type() != ResultType.VECTOR) {
            return wrongType(m, result, "an instant vector");
        }
        if (result.samples().isEmpty()) {
            return Verdict.fail("no data for " + m).observed(m + ": no data");
        }
        return Verdict.pass(m + ": " + count(result.samples().size(), "series"))
                .observed(m + ": " + count(result.samples().size(), "series"));
    }

    /** No firing alert; otherwise the count and the alert names. */
    static Verdict noFiringAlerts(List<AlertMatcher> matchers, List<Alert> firing) {
        String matching = matchers.stream().map(AlertMatcher::toString).collect(Collectors.joining(", "));
        if (firing.isEmpty()) {
            return Verdict.pass("no firing alerts matching " + matching).observed("no firing alert");
        }
        Map<String, Integer> byName = new LinkedHashMap<>();
        firing.stream().map(Alert::name).sorted().forEach(n -> byName.merge(n, 1, Integer::sum));
        String names = byName.entrySet().stream().limit(LISTED_ALERT_NAMES)
                .map(e -> e.getValue() == 1 ? e.getKey() : e.getKey() + " (x" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        if (byName.size() > LISTED_ALERT_NAMES) {
            names += ", and " + (byName.size() - LISTED_ALERT_NAMES) + " more";
        }
        return Verdict.fail(count(firing.size(), "firing alert") + " matching " + matching + ": " + names)
                .observed(count(firing.size(), "firing alert") + ": " + names);
    }

    /** A scalar or a single series (or several reduced by {@code aggregate}) satisfying {@code condition}. */
    static Verdict threshold(String query, Condition condition, Aggregate aggregate, InstantQueryResult result) {
        String q = shown(query);
        if (result.type() != ResultType.VECTOR && result.type() != ResultType.SCALAR) {
            return wrongType(q, result, "an instant vector or a scalar");
        }
        List<Sample> samples = result.samples();
        if (samples.isEmpty()) {
            return Verdict.fail("no data for " + q).observed("no data");
        }
        double value;
        String subject;
        String shownValue = "";
        if (aggregate != null) {
            value = aggregate.apply(samples.stream().map(Sample::value).toList());
            subject = aggregate.jsonName() + " of " + count(samples.size(), "series") + " of " + q;
            shownValue = aggregate.jsonName() + " of " + count(samples.size(), "series") + " = ";
        } else if (samples.size() == 1) {
            value = samples.get(0).value();
            subject = q;
        } else {
            return Verdict.error("expected one series, got " + samples.size() + " for " + q
                    + " (aggregate them in the query or set aggregate to min, max, sum or avg)");
        }
        if (Double.isNaN(value)) {
            return Verdict.fail("value is NaN for " + subject + ", which never satisfies " + condition)
                    .observed(shownValue + "NaN");
        }
        String seen = subject + " = " + Values.format(value);
        return (condition.test(value)
                ? Verdict.pass(seen + ", satisfies " + condition)
                : Verdict.fail(seen + ", does not satisfy " + condition)).observed(shownValue + Values.format(value));
    }

    /** Combines several checks of one gate: any ERROR makes ERROR, else any FAIL makes FAIL. */
    static Verdict combine(List<Verdict> verdicts) {
        GateStatus status = verdicts.stream().map(Verdict::status)
                .reduce(GateStatus.PASS, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        List<Verdict> shown = status == GateStatus.PASS ? verdicts
                : verdicts.stream().filter(v -> v.status() != GateStatus.PASS).toList();
        String observed = shown.stream().map(v -> v.observed() == null ? v.detail() : v.observed()).distinct()
                .collect(Collectors.joining("; "));
        return new Verdict(status, shown.stream().map(Verdict::detail).distinct().collect(Collectors.joining("; ")),
                observed);
    }

    private static Verdict wrongType(String query, InstantQueryResult result, String expected) {
        return Verdict.error(query + " returned a " + result.type().jsonName() + ", expected " + expected);
    }

    private static String listSeries(List<Sample> samples) {
        String listed = samples.stream().limit(LISTED_SERIES)
                .map(s -> Values.labels(s.labels()) + " = " + Values.format(s.value()))
                .collect(Collectors.joining(", "));
        return samples.size() > LISTED_SERIES ? listed + ", and " + (samples.size() - LISTED_SERIES) + " more" : listed;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 || noun.endsWith("series") ? "" : "s");
    }

    private static String shown(String query) {
        return Values.abbreviate(query, QUERY_IN_DETAIL);
    }
}
