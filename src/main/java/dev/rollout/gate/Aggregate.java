package dev.rollout.gate;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How a query-threshold gate reduces a vector of several series to one value. */
public enum Aggregate {
    MIN, MAX, SUM, AVG;

    public static Optional<Aggregate> fromName(String name) {
        return Arrays.stream(values()).filter(a -> a.jsonName().equals(name)).findFirst();
    }

    /** Lower-case name used in plan JSON. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Reduces non-empty {@code values}; any NaN makes the result NaN. */
    double apply(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to aggregate");
        }
        if (values.stream().anyMatch(v -> Double.isNaN(v))) {
            return Double.NaN;
        }
        return switch (this) {
            case MIN -> values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case MAX -> values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            case SUM -> values.stream().mapToDouble(Double::doubleValue).sum();
            case AVG -> values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
        };
    }
}
