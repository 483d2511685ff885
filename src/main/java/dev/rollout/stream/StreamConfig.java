package dev.rollout.stream;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Event streams ({@code GET /events}, {@code GET /rollouts/{id}/events}). */
@ConfigMapping(prefix = "rollout.stream")
public interface StreamConfig {

    /**
     * ROLLOUT_STREAM_KEEP_ALIVE: a comment line goes to every open stream this often, so proxies that drop
     * silent connections keep them.
     */
    @WithDefault("15s")
    Duration keepAlive();

    /** ROLLOUT_STREAM_MAX_STREAMS: streams one instance serves at once; beyond it 429 {@code too-many-streams}. */
    @WithDefault("500")
    int maxStreams();

    /**
     * ROLLOUT_STREAM_MAX_STREAMS_PER_CREDENTIAL: streams one credential holds open on one instance at once
     * (a dashboard needs one or two); beyond it 429 {@code too-many-streams}.
     */
    @WithDefault("10")
    int maxStreamsPerCredential();

    /**
     * ROLLOUT_STREAM_GAP_TIMEOUT: a seq taken by a transaction that has not committed is waited for (streams
     * hold back what follows it) until every transaction in flight when it was first missed has ended, or
     * for this long at most, after which it is taken for never coming.
     */
    @WithDefault("60s")
    Duration gapTimeout();
}
