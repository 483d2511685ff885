package dev.rollout.rollout;

import dev.rollout.problem.Reasons;

/** Body of pause, resume, rollback and abort. The rule for reasons is {@link Reasons}. */
public record ReasonRequest(String reason) {

    /** Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. */
    public static final int MAX_LENGTH = Reasons.MAX_LENGTH;

    /** Whether a reason holds only text a person can read on one line; see {@link Reasons#printable}. */
    public static boolean printable(String reason) {
        return Reasons.printable(reason);
    }

    /** The reason if it is acceptable for {@code what} ("pause", "override", ...); a 400 otherwise. */
    public static String check(String reason, boolean required, String what) {
        return Reasons.check(reason, required, what);
    }
}
