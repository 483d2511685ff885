package dev.rollout.gate;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Prometheus sample values and label sets, to and from their text forms. */
final class Values {

    private Values() {
    }

    /** Parses a Prometheus sample value string, including {@code NaN}, {@code +Inf} and {@code -Inf}. */
    static double parse(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (text.isEmpty() || !(Character.isDigit(text.charAt(text.length() - 1)) || text.endsWith("."))) {
                    throw new NumberFormatException("not a sample value: " + text);
                }
                yield Double.parseDouble(text);
            }
        };
    }

    /** Formats a value the way Prometheus prints it. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /**
     * A value rounded to 6 significant digits for people to read ({@code 0.0144} rather than
     * {@code 0.014400000000000079}); decisions always use the exact value.
     */
    static String compact(double value) {
        if (!Double.isFinite(value)) {
            return format(value);
        }
        if (value == 0) {
            return "0";
        }
        java.math.BigDecimal rounded = new java.math.BigDecimal(value).round(new java.math.MathContext(6))
                .stripTrailingZeros();
        // Plain digits for everyday magnitudes, scientific notation beyond them.
        return Math.abs(value) >= 1e-6 && Math.abs(value) < 1e15 ? rounded.toPlainString() : rounded.toString();
    }

    /** {@code {instance="a", job="b"}}, labels sorted, {@code {}} for none. */
    static String labels(Map<String, String> labels) {
        return new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** Shortens long text such as a PromQL query for use in a detail message. */
    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
