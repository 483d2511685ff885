package dev.rollout.wake;

/**
 * What a wake-up is about. Each is a PostgreSQL notification channel, so instances only hear the topics
 * they listen to.
 */
public enum Topic {
    /** Events were appended to deployment_state; one per rollout, payload {@code <rolloutId>:<seq>} of its newest. */
    EVENTS("rollout_events"),
    /**
     * Something says gates may have changed (an Alertmanager notification); payload: the notified alerts'
     * label sets as JSON, or {@code *} for every alert gate (see {@code push.AffectedPlans}).
     */
    EVALUATE("rollout_evaluate");

    private final String channel;

    Topic(String channel) {
        this.channel = channel;
    }

    public String channel() {
        return channel;
    }
}
