package dev.rollout.rollout;

/** Body of pause, resume, rollback and abort. */
public record ReasonRequest(String reason) {

    public static final int MAX_LENGTH = 1000;
}
