package dev.rollout.gate;

/** Outcome of one gate evaluation. {@link #ERROR} counts as a failure everywhere (fail closed). */
public enum GateStatus {
    PASS,
    FAIL,
    ERROR;

    /** Only {@link #PASS} lets a rollout advance. */
    public boolean passed() {
        return this == PASS;
    }
}
