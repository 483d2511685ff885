package dev.rollout.rollout;

/**
 * Optional body of {@code advance}. {@code override: true} (admin only, with a {@code reason}) moves the
 * rollout even though a rule would refuse: the dwell not being over (and, where gates apply, failing
 * gates). The move is recorded as an {@code override} event naming who and why.
 */
public record AdvanceRequest(Boolean override, String reason) {

    public boolean overrides() {
        return Boolean.TRUE.equals(override);
    }
}
