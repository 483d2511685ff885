package dev.rollout.gate;

/**
 * What a rollout's gates ask of the controller, weakest first: when several gates ask for different things at
 * once, the strongest wins (ROLLBACK over PAUSE over HOLD). {@link #NONE}: nothing blocks.
 */
public enum GateResponse {
    /** Every enforced gate passes (shadow gates never count). */
    NONE,
    /** No advance, and the step's dwell is extended by the time held (gates in ERROR, {@code onError: HOLD}). */
    HOLD,
    /** Pause at the current percentage. */
    PAUSE,
    /** Back to 0 %. */
    ROLLBACK;

    /** The stronger of the two. */
    public GateResponse max(GateResponse other) {
        return other.compareTo(this) > 0 ? other : this;
    }

    /** The response a gate's {@code onFail} value names ({@code PAUSE} or {@code ROLLBACK}), or {@code fallback}. */
    public static GateResponse onFail(GateDefinition gate, GateResponse fallback) {
        return gate.onFail() == null ? fallback : valueOf(gate.onFail());
    }

    /** The response a gate's {@code onError} value names ({@code HOLD}, {@code PAUSE} or {@code ROLLBACK}); HOLD by default. */
    public static GateResponse onError(GateDefinition gate) {
        return gate.onError() == null ? HOLD : valueOf(gate.onError());
    }
}
