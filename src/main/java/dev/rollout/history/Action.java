package dev.rollout.history;

/** The kinds of event the history records; the JSON and database spelling is the lower-case name. */
public enum Action {
    STARTED, STEP, ADVANCE_REFUSED, GATE_VIOLATION, PAUSED, RESUMED, ROLLED_BACK, ABORTED, COMPLETED, OVERRIDE, APPROVED,
    /** Gates went into ERROR under {@code onError: HOLD}: no advance, the dwell stops counting. */
    HOLD_STARTED,
    /** The gates answer again: the dwell resumes, extended by the time held. */
    HOLD_ENDED,
    /** A shadow gate does not pass: on record, never enforced. */
    SHADOW_VIOLATION;

    public String wireName() {
        return name().toLowerCase();
    }

    public static Action fromWire(String name) {
        return valueOf(name.toUpperCase());
    }
}
