package dev.rollout.rollout;

/**
 * Why a rollout refused a request. The type is the stable name callers match on (the problem type's
 * last segment); the title is the same for every refusal of that type.
 */
public enum Refusal {
    TOO_EARLY("too-early", "Too early"),
    GATES_FAILING("gates-failing", "Gates failing"),
    NOT_PROGRESSING("not-progressing", "Rollout is not progressing"),
    FROZEN("frozen", "Target is frozen"),
    OUTSIDE_WINDOW("outside-window", "Outside the plan's advance windows"),
    NOT_PAUSED("not-paused", "Rollout is not paused"),
    ALREADY_FINISHED("already-finished", "Rollout already finished"),
    CONCURRENT_CHANGE("concurrent-change", "Rollout changed"),
    ACTIVE_ROLLOUT_EXISTS("active-rollout-exists", "Target has an active rollout"),
    APPROVAL_REQUIRED("approval-required", "Approval required"),
    APPROVAL_NOT_REQUIRED("approval-not-required", "Approval not required"),
    /** Who asks is not allowed to give this approval: a 403, not a conflict with the rollout's state. */
    APPROVAL_NOT_ALLOWED("approval-not-allowed", "Approval not allowed", 403);

    private final String type;
    private final String title;
    private final int status;

    Refusal(String type, String title) {
        this(type, title, 409);
    }

    Refusal(String type, String title, int status) {
        this.type = type;
        this.title = title;
        this.status = status;
    }

    /** The HTTP status of the refusal: 409 unless the refusal is about who asks. */
    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
