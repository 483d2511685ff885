package dev.rollout.rollout;

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
}
