package dev.rollout.problem;

import java.util.List;

/**
 * The one rule for reasons people give (pause, rollback, abort, override, token changes): at most
 * {@value #MAX_LENGTH} characters counted in code points, one line of text that reads the same in every
 * view. Refused:
 * <ul>
 * <li>every Unicode control character (category Cc: C0, DEL and C1, so also tab, line feed, carriage return
 * and U+0085 NEXT LINE);</li>
 * <li>U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which break lines as well;</li>
 * <li>bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069),
 * which make a reason display in another order than it reads;</li>
 * <li>unpaired surrogates, which are not text at all.</li>
 * </ul>
 * Other format characters stay allowed: the zero-width joiner builds emoji sequences.
 */
public final class Reasons {

    /** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
    public static final int MAX_LENGTH = 1000;

    private Reasons() {}

    /** Whether a reason holds only text a person can read on one line, in the order it is stored. */
    public static boolean printable(String reason) {
        return reason.codePoints().noneMatch(Reasons::refused);
    }

    static boolean refused(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }

    /** The reason if it is acceptable for {@code what} ("pause", "override", ...); a 400 otherwise. */
    public static String check(String reason, boolean required, String what) {
        if (required && (reason == null || reason.isBlank())) {
            throw invalid("reason: is required to " + what, "reason: is required");
        }
        if (reason != null && reason.codePointCount(0, reason.length()) > MAX_LENGTH) {
            throw invalid("reason: must be at most " + MAX_LENGTH + " characters", "reason: too long");
        }
        if (reason != null && !printable(reason)) {
            throw invalid("reason: must not contain control characters, line or paragraph separators, "
                    + "bidirectional formatting characters or unpaired surrogates", "reason: control characters");
        }
        return reason;
    }

    private static ApiProblem invalid(String detail, String error) {
        return ApiProblem.badRequest("invalid-request", detail).with("errors", List.of(error));
    }
}
