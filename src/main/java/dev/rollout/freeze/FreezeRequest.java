package dev.rollout.freeze;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.rollout.problem.Problems;
import dev.rollout.problem.Reasons;
import dev.rollout.security.TargetScope;

/** Body of {@code POST /freezes}. Instants arrive as strings, so every problem can be named at once. */
public record FreezeRequest(
        @Schema(description = "1-100 letters, digits, '.', '_' or '-'", example = "black-friday") String name,
        @Schema(description = "RFC 3339 instant it starts at", example = "2026-11-27T00:00:00Z") String from,
        @Schema(description = "RFC 3339 instant it ends at (after from, in the future)",
                example = "2026-11-30T23:59:59Z") String until,
        @Schema(description = "Target patterns ('*' any run of characters); left out: every target")
        List<String> targets,
        @Schema(description = "Why: recorded in the audit log and the annotation") String reason) {

    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** How far ahead a freeze may end: a year and a day. */
    public static final Duration MAX_AHEAD = Duration.ofDays(366);

    /** A valid request, parsed. */
    public record Valid(String name, Instant from, Instant until, List<String> targets, String reason) {
    }

    /**
     * What is wrong with this request, one line per problem, checked against {@code now} (the database clock):
     * {@code until} must be after {@code from} and after now (a freeze that is over already stops nothing), and
     * at most {@link #MAX_AHEAD} ahead.
     */
    public List<String> problems(Instant now) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name: is required");
        } else if (!NAME.matcher(name).matches()) {
            problems.add("name: must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Instant start = instant("from", from, problems);
        Instant end = instant("until", until, problems);
        if (start != null && end != null && !end.isAfter(start)) {
            problems.add("until: must be after from");
        } else if (end != null && !end.isAfter(now)) {
            problems.add("until: must be in the future (now is " + now + "); a freeze that is over stops nothing");
        } else if (end != null && end.isAfter(now.plus(MAX_AHEAD))) {
            problems.add("until: must be at most " + MAX_AHEAD.toDays() + " days from now");
        }
        problems.addAll(TargetScope.problems("targets", targets));
        if (reason == null || reason.isBlank()) {
            problems.add("reason: is required");
        } else if (reason.codePointCount(0, reason.length()) > Reasons.MAX_LENGTH) {
            problems.add("reason: must be at most " + Reasons.MAX_LENGTH + " characters");
        } else if (!Reasons.printable(reason)) {
            problems.add("reason: must not contain control characters, line or paragraph separators, "
                    + "bidirectional formatting characters or unpaired surrogates");
        }
        return problems;
    }

    /** The parsed request; call only when {@link #problems} found none. */
    public Valid valid() {
        return new Valid(name, parse(from), parse(until), targets == null ? null : List.copyOf(targets), reason);
    }

    private static Instant instant(String field, String text, List<String> problems) {
        if (text == null || text.isBlank()) {
            problems.add(field + ": is required, an RFC 3339 instant such as 2026-12-24T00:00:00Z");
            return null;
        }
        try {
            return parse(text);
        } catch (DateTimeParseException e) {
            problems.add(field + ": must be an RFC 3339 instant with an offset, such as 2026-12-24T00:00:00Z or "
                    + "2026-12-24T00:00:00+01:00, got '" + Problems.shortened(text) + "'");
            return null;
        }
    }

    /** An RFC 3339 instant: date, time and an offset (Z or ±hh:mm); kept to the microsecond, as stored. */
    static Instant parse(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                .truncatedTo(ChronoUnit.MICROS);
    }
}
