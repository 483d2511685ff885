package dev.rollout.history;

/** The kinds of event the history records; the JSON and database spelling is the lower-case name. */
public enum Action {
    STARTED, STEP, ADVANCE_REFUSED, GATE_VIOLATION, PAUSED, RESUMED, ROLLED_BACK, ABORTED, COMPLETED, OVERRIDE, APPROVED;

    public String wireName() {
        return name().toLowerCase();
    }

    public static Action fromWire(String name) {
        return valueOf(name.toUpperCase());
    }
}
