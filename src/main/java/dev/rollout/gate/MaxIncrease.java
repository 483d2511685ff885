package dev.rollout.gate;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How much worse than the baseline a {@code compare} gate lets the canary be: a percentage of the baseline
 * (the JSON string {@code "20%"}) or an absolute amount (the JSON number {@code 0.05}). Kept as it was sent,
 * string or number, so a plan reads back as written; {@link GateDefinitionValidator} checks it and
 * {@link #allowance()} reads it.
 */
@Schema(oneOf = {String.class, Double.class}, description = "A percentage of the baseline such as \"20%\", or an "
        + "absolute increase as a JSON number such as 0.05")
public final class MaxIncrease {

    private static final Pattern PERCENT = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)%");

    private final Object value;

    /** {@code value} as read from JSON: a String, a Number, or anything else (refused by the validator). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public MaxIncrease(Object value) {
        this.value = value;
    }

    public static MaxIncrease percent(String text) {
        return new MaxIncrease(text);
    }

    public static MaxIncrease absolute(double amount) {
        return new MaxIncrease(amount);
    }

    @JsonValue
    public Object value() {
        return value;
    }

    /**
     * The allowance this stands for.
     *
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public Allowance allowance() {
        if (value instanceof String text) {
            if (text.length() > GateLimits.MAX_INCREASE_LENGTH) {
                throw new IllegalArgumentException("at most " + GateLimits.MAX_INCREASE_LENGTH + " characters, got "
                        + text.length());
            }
            Matcher m = PERCENT.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("a string must be a percentage such as \"20%\" (an absolute "
                        + "increase is a JSON number such as 0.05), got \"" + Values.abbreviate(text, 32) + "\"");
            }
            return new Allowance(true, Double.parseDouble(m.group(1)));
        }
        if (value instanceof Number number) {
            double amount = number.doubleValue();
            if (!Double.isFinite(amount) || amount < 0) {
                throw new IllegalArgumentException("an absolute increase must be a finite number, 0 or more, got "
                        + Values.format(amount));
            }
            return new Allowance(false, amount);
        }
        throw new IllegalArgumentException("must be a percentage such as \"20%\" or an absolute increase as a "
                + "number such as 0.05");
    }

    /**
     * A parsed allowance.
     *
     * @param percent whether {@code amount} is a percentage of the baseline
     * @param amount  0 or more
     */
    public record Allowance(boolean percent, double amount) {

        /**
         * The most the canary may be: the baseline plus {@code amount}, or plus {@code amount} % of the
         * baseline's magnitude (for the usual non-negative baseline, {@code baseline × (1 + p)}; a negative one is
         * not made stricter by a percentage). A percentage of a zero baseline is zero: only 0 is allowed.
         */
        public double limit(double baseline) {
            return percent ? baseline + Math.abs(baseline) * amount / 100 : baseline + amount;
        }

        @Override
        public String toString() {
            return "+ " + Values.compact(amount) + (percent ? "%" : "");
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof MaxIncrease that)) {
            return false;
        }
        // 1 and 1.0 are the same increase whichever way JSON read them.
        if (value instanceof Number a && that.value instanceof Number b) {
            return Double.compare(a.doubleValue(), b.doubleValue()) == 0;
        }
        return Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return value instanceof Number n ? Double.hashCode(n.doubleValue()) : Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return String.valueOf(value);
    }
}
