package dev.rollout.rollout;

import java.util.List;

import dev.rollout.problem.ApiProblem;

/** Body of pause, resume, rollback and abort. */
public record ReasonRequest(String reason) {

    /** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
    public static final int MAX_LENGTH = 1000;

    /**
     * Whether a reason holds only text a person can read on one line: no Unicode control character at all
     * (category Cc: C0, DEL and C1, so also tab, line feed, carriage return and U+0085 NEXT LINE).
     * PostgreSQL cannot even store a NUL, and the others only serve to forge lines in logs, annotations
     * and history views.
     */
    public static boolean printable(String reason) {
        return reason.codePoints().noneMatch(c -> Character.getType(c) == Character.CONTROL);
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
            throw invalid("reason: must not contain control characters", "reason: control characters");
        }
        return reason;
    }

    private static ApiProblem invalid(String detail, String error) {
        return ApiProblem.badRequest("invalid-request", detail).with("errors", List.of(error));
    }
}
