package dev.rollout.wake;

/**
 * Called on the wake-up thread for every notification of its topic, from any instance (this one
 * included). Must return quickly: hand real work to another thread.
 */
@FunctionalInterface
public interface WakeListener {

    void onWake(String payload);

    /**
     * The connection that listens was lost and is back: notifications sent meanwhile were missed, so a
     * listener that keeps state re-reads it from the database.
     */
    default void onReconnected() {
    }
}
