package dev.rollout.rollout;

import java.util.List;

import dev.rollout.problem.ApiProblem;

/** Body of pause, resume, rollback and abort. */
public record ReasonRequest(String reason) {

    public static final int MAX_LENGTH = 1000;

    /**
     * Whether a reason holds only text a person can read: no control characters other than tabs and
     * line breaks (PostgreSQL cannot even store a NUL, and the others only serve to forge log lines).
     */
    public static boolean printable(String reason) {
        return reason.chars().allMatch(c -> c >= 0x20 && c != 0x7f || c == '\n' || c == '\r' || c == '\t');
    }

    /** The reason if it is acceptable for {@code what} ("pause", "override", ...); a 400 otherwise. */
    public static String check(String reason, boolean required, String what) {
        if (required && (reason == null || reason.isBlank())) {
            throw invalid("reason: is required to " + what, "reason: is required");
        }
        if (reason != null && reason.length() > MAX_LENGTH) {
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
