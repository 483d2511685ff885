package dev.rollout.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where rolloutctl writes: results on stdout (text for people, or the API's JSON with {@code -o json}),
 * messages and refusals on stderr. Server text goes through {@link Table#cell} before it reaches a terminal.
 */
final class Output {

    final PrintStream out;
    final PrintStream err;
    final boolean json;

    Output(PrintStream out, PrintStream err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    /** A result line, in text mode only. */
    void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    /** The API's JSON, in JSON mode only (one line, as the API sent it). */
    void json(JsonNode node) {
        if (json) {
            out.println(node == null ? "null" : node.toString());
        }
    }

    void table(Table table) {
        if (!json) {
            out.print(table.render());
        }
    }

    /** A message for the person at the terminal, in both modes (stderr). */
    void note(String text) {
        err.println(text);
        err.flush();
    }

    // ---- how values read --------------------------------------------------------------------------------

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : Table.cell(value.asText());
    }

    /** {@code 5.0} as {@code 5 %}, {@code 12.5} as {@code 12.5 %}; null as {@code -}. */
    static String percent(JsonNode value) {
        if (value == null || value.isNull() || !value.isNumber()) {
            return "-";
        }
        double d = value.asDouble();
        return (d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d)) + " %";
    }

    /** An API instant to the second, UTC ({@code 2026-11-29T07:56:45Z}); unreadable text as it is. */
    static String instant(String iso) {
        if (iso == null) {
            return "-";
        }
        try {
            return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return Table.cell(iso);
        }
    }

    /** How far {@code iso} is from {@code now}: {@code in 9h 32m}, {@code 12s ago}. */
    static String relative(String iso, Instant now) {
        try {
            Duration d = Duration.between(now, Instant.parse(iso));
            return d.isNegative() ? Durations.roughly(d.negated()) + " ago" : "in " + Durations.roughly(d);
        } catch (DateTimeParseException | NullPointerException e) {
            return "";
        }
    }
}
