package dev.rollout.page;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.rollout.problem.ApiProblem;

/**
 * An opaque {@code after} cursor: the sort key of the last item of a page, each part base64url-encoded and
 * joined with dots. Callers pass it back as they got it; a cursor that does not decode to the parts its list
 * sorts by is a 400 {@code invalid-request} naming {@code after}, never a 5xx.
 */
public final class Cursor {

    private static final int MAX_LENGTH = 512;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final List<String> parts;

    private Cursor(List<String> parts) {
        this.parts = parts;
    }

    /** The cursor text for a sort key. */
    public static String encode(Object... parts) {
        List<String> encoded = new ArrayList<>(parts.length);
        for (Object part : parts) {
            encoded.add(ENCODER.encodeToString(part.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return String.join(".", encoded);
    }

    /** The cursor's parts, exactly {@code count} of them, or a 400. */
    public static Cursor decode(String text, int count) {
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            throw invalid();
        }
        String[] pieces = text.split("\\.", -1);
        if (pieces.length != count) {
            throw invalid();
        }
        List<String> parts = new ArrayList<>(count);
        for (String piece : pieces) {
            try {
                parts.add(new String(DECODER.decode(piece), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw invalid();
            }
        }
        return new Cursor(parts);
    }

    public String text(int index) {
        return parts.get(index);
    }

    public Instant instant(int index) {
        try {
            return Instant.parse(parts.get(index));
        } catch (DateTimeParseException e) {
            throw invalid();
        }
    }

    public UUID uuid(int index) {
        try {
            String text = parts.get(index);
            if (text.length() == 36) {
                return UUID.fromString(text);
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw invalid();
    }

    public int integer(int index) {
        try {
            return Integer.parseInt(parts.get(index));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    public long number(int index) {
        try {
            return Long.parseLong(parts.get(index));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    static ApiProblem invalid() {
        return ApiProblem.badRequest("invalid-request",
                "after: not a cursor of this list; pass back the one from the Link header of the previous page");
    }
}
