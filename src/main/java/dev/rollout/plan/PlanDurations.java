package dev.rollout.plan;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * ISO-8601 durations as plans write them (PT24H, P7D), bounded to what a rollout can sensibly wait. Letters
 * may be either case, as ISO-8601 allows; no component may carry a sign ({@code -PT1H} and
 * {@code PT1H-30M} are refused, not summed). Plans store and show the {@link #normalize normalised} form.
 */
public final class PlanDurations {

    public static final Duration MAX_DWELL = Duration.ofDays(90);
    public static final Duration MAX_TOTAL = Duration.ofDays(365);

    private PlanDurations() {}

    /** Parses a duration or returns empty when the text is not an unsigned ISO-8601 duration. */
    public static Optional<Duration> parse(String text) {
        if (text == null || text.length() > 40 || hasSign(text)) {
            return Optional.empty();
        }
        try {
            Duration duration = Duration.parse(text);
            return duration.isNegative() ? Optional.empty() : Optional.of(duration);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** True when any component is signed: negative durations and mixed signs are refused, not summed. */
    public static boolean hasSign(String text) {
        return text != null && (text.indexOf('-') >= 0 || text.indexOf('+') >= 0);
    }

    /** The canonical text of a valid duration: upper case, hours at most ({@code pt24h} and {@code P1D} → PT24H). */
    public static String normalize(String text) {
        return text == null ? null : of(text).toString();
    }

    /** Readable text for messages: days first (P5DT1H), the rest as Java prints it. */
    public static String format(Duration duration) {
        long days = duration.toDays();
        if (days == 0) {
            return duration.toString();
        }
        Duration rest = duration.minusDays(days);
        return "P" + days + "D" + (rest.isZero() ? "" : rest.toString().substring(1));
    }

    public static Duration of(String text) {
        return text == null ? Duration.ZERO : parse(text).orElseThrow(
                () -> new IllegalArgumentException("not an ISO-8601 duration: " + text));
    }
}
