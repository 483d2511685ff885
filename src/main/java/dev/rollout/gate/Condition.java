package dev.rollout.gate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A comparison such as {@code < 0.01} that a query-threshold gate's value must satisfy. */
public record Condition(Operator operator, double threshold) {

    public enum Operator {
        LESS("<"), LESS_OR_EQUAL("<="), GREATER(">"), GREATER_OR_EQUAL(">="), EQUAL("=="), NOT_EQUAL("!=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private static final Pattern SYNTAX = Pattern.compile(
            "^\\s*(<=|>=|==|!=|<|>)\\s*([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*$");

    /**
     * Parses {@code <op> <number>}, operators {@code < <= > >= == !=}, the number finite.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Condition parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("condition is empty");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected an operator (<, <=, >, >=, ==, !=) followed by a number, e.g. \"< 0.01\", got: " + text);
        }
        double threshold = Double.parseDouble(m.group(2));
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite number: " + text);
        }
        Operator op = switch (m.group(1)) {
            case "<" -> Operator.LESS;
            case "<=" -> Operator.LESS_OR_EQUAL;
            case ">" -> Operator.GREATER;
            case ">=" -> Operator.GREATER_OR_EQUAL;
            case "==" -> Operator.EQUAL;
            default -> Operator.NOT_EQUAL;
        };
        return new Condition(op, threshold);
    }

    /** Whether {@code value} satisfies the condition. NaN never does; infinities compare numerically. */
    public boolean test(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        return switch (operator) {
            case LESS -> value < threshold;
            case LESS_OR_EQUAL -> value <= threshold;
            case GREATER -> value > threshold;
            case GREATER_OR_EQUAL -> value >= threshold;
            case EQUAL -> value == threshold;
            case NOT_EQUAL -> value != threshold;
        };
    }

    @Override
    public String toString() {
        return operator.symbol + " " + Values.format(threshold);
    }
}
