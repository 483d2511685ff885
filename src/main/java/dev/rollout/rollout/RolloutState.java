package dev.rollout.rollout;

public enum RolloutState {
    PROGRESSING, PAUSED, COMPLETED, ROLLED_BACK, ABORTED;

    /** Active rollouts hold their target: at most one per target. */
    public boolean isActive() {
        return this == PROGRESSING || this == PAUSED;
    }
}
