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

    /** One number read from an instant query, or why there is none (then {@code value} is NaN). */
    record Reading(double value, String problem) {
        static Reading of(double value) {
            return new Reading(value, null);
        }

        static Reading missing(String problem) {
            return new Reading(Double.NaN, problem);
        }

        boolean ok() {
            return problem == null;
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

    /**
     * The one number of a scalar or a single-series answer. No series is "no data"; NaN (a ratio of zero
     * requests, a quantile of an empty histogram) is no data too; several series or another type are problems.
     */
    static Reading single(String query, InstantQueryResult result) {
        String q = shown(query);
        if (result.type() != ResultType.VECTOR && result.type() != ResultType.SCALAR) {
            return Reading.missing(q + " returned a " + result.type().jsonName() + ", expected an instant vector or a scalar");
        }
        List<Sample> samples = result.samples();
        if (samples.isEmpty()) {
            return Reading.missing("no data for " + q);
        }
        if (samples.size() > 1) {
            return Reading.missing("expected one series, got " + samples.size() + " for " + q
                    + " (aggregate them in the query, e.g. with sum or max)");
        }
        double value = samples.get(0).value();
        if (Double.isNaN(value)) {
            return Reading.missing("no data for " + q + ": the value is NaN (e.g. no requests in the window)");
        }
        return Reading.of(value);
    }

    /**
     * PASS when the canary is at most the baseline plus the allowance. No value on either side, or an infinite
     * baseline (which would bound nothing), is ERROR. The detail shows both values, the threshold and the queries.
     */
    static Verdict compare(String canaryQuery, Reading canary, String baselineQuery, Reading baseline,
            MaxIncrease.Allowance allowance) {
        String queries = "canary: " + shown(canaryQuery) + "; baseline: " + shown(baselineQuery);
        if (!canary.ok() || !baseline.ok()) {
            List<String> problems = new java.util.ArrayList<>();
            if (!canary.ok()) {
                problems.add("canary: " + canary.problem());
            }
            if (!baseline.ok()) {
                problems.add("baseline: " + baseline.problem());
            }
            return Verdict.error(String.join("; ", problems) + "; canary = " + shownValue(canary) + ", baseline = "
                    + shownValue(baseline) + ", maxIncrease " + allowance + "; " + queries);
        }
        if (Double.isInfinite(baseline.value())) {
            return Verdict.error("baseline = " + Values.format(baseline.value()) + " bounds nothing; canary = "
                    + Values.compact(canary.value()) + "; " + queries);
        }
        double limit = allowance.limit(baseline.value());
        String seen = "canary = " + Values.compact(canary.value()) + ", baseline = " + Values.compact(baseline.value())
                + ", threshold " + Values.compact(limit) + " (baseline " + allowance + ")";
        return canary.value() <= limit
                ? Verdict.pass(seen + ": canary within; " + queries)
                : Verdict.fail(seen + ": canary over by " + Values.compact(canary.value() - limit) + "; " + queries);
    }

    private static String shownValue(Reading reading) {
        return reading.ok() ? Values.compact(reading.value()) : "no value";
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
