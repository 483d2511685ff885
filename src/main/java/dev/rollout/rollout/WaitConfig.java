package dev.rollout.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Held {@code advance?wait=} requests ({@link HeldAdvances}). */
@ConfigMapping(prefix = "rollout.wait")
public interface WaitConfig {

    /**
     * ROLLOUT_WAIT_MAX_HELD: advance requests one instance holds at once; beyond it a request asked to wait
     * is answered at once, as without {@code wait}. A held request costs memory only (no connection, no thread).
     */
    @WithDefault("2000")
    int maxHeld();

    /**
     * ROLLOUT_WAIT_RETRY_THREADS: threads that try held requests again; each try uses one database
     * connection, taken like a request's, so this bounds what held requests take from the pool at once.
     */
    @WithDefault("2")
    int retryThreads();
}
