package dev.rollout.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them ({@code 10m}, {@code 1h30m}, {@code 2d}, {@code PT10M}) and as they read them. */
final class Durations {

    private static final Pattern COMPACT = Pattern.compile("(\\d{1,9})(ms|d|h|m|s)");

    private Durations() {}

    /**
     * {@code text} as a duration: ISO-8601 ({@code PT10M}, {@code P1DT4H}, either case) or numbers with units
     * {@code d}, {@code h}, {@code m}, {@code s}, {@code ms} run together ({@code 1h30m}). No sign, no bare number.
     */
    static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a duration is required (e.g. 10m, 1h30m, 2d or PT10M)");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("p")) {
            try {
                Duration d = Duration.parse(text.toUpperCase(Locale.ROOT));
                if (!d.isNegative() && text.indexOf('-') < 0 && text.indexOf('+') < 0) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
            throw notADuration(text);
        }
        Matcher m = COMPACT.matcher(lower);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < lower.length()) {
            if (!m.find(at) || m.start() != at) {
                throw notADuration(text);
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            at = m.end();
        }
        return total;
    }

    private static IllegalArgumentException notADuration(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return new IllegalArgumentException("'" + shown + "' is not a duration: use e.g. 10m, 1h30m, 2d or PT10M");
    }

    /** Exactly, largest units first, zero parts left out: {@code 1d 4h}, {@code 90s} as {@code 1m 30s}, {@code 0s}. */
    static String format(Duration duration) {
        return format(duration, false);
    }

    /** For a countdown: to the second below an hour, to the minute above ({@code 27h 59m} shown as {@code 1d 3h 59m}). */
    static String roughly(Duration duration) {
        return format(duration, duration.compareTo(Duration.ofHours(1)) >= 0);
    }

    private static String format(Duration duration, boolean minutes) {
        if (duration.isNegative()) {
            duration = Duration.ZERO;
        }
        // Part of a second left over counts as a whole one: "in 0s" would say it is due when it is not yet.
        long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        if (minutes && seconds % 60 != 0) {
            seconds += 60 - seconds % 60;
        }
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        StringBuilder text = new StringBuilder();
        append(text, d, "d");
        append(text, h, "h");
        append(text, m, "m");
        append(text, s, "s");
        return text.length() == 0 ? "0s" : text.toString();
    }

    private static void append(StringBuilder text, long value, String unit) {
        if (value > 0) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(value).append(unit);
        }
    }

    /** An ISO-8601 duration from the API ({@code PT28H}, {@code P7D}) as people read it; unreadable text as it is. */
    static String readable(String iso) {
        if (iso == null) {
            return "-";
        }
        try {
            return format(Duration.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** What the API's {@code wait} parameter takes: whole seconds, ISO-8601 ({@code PT10M}). */
    static String iso(Duration duration) {
        return Duration.ofSeconds(duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0)).toString();
    }
}
