package dev.rollout.rollout;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The watch: how often it ticks and how this instance names itself in the history. The operator-facing
 * names are ROLLOUT_EVALUATION_INTERVAL and ROLLOUT_CONTROLLER_INSTANCE_ID; application.properties maps
 * them here and declares the default.
 */
@ConfigMapping(prefix = "rollout.watch")
public interface WatchConfig {

    /** How often every active rollout is looked at; 1 s at least. */
    Duration evaluationInterval();

    /**
     * ROLLOUT_WATCH_LEASE: an instance that has not renewed its heartbeat for this long is taken for dead
     * and its rollouts are watched by the others. At least twice the evaluation interval.
     */
    @WithDefault("30s")
    Duration lease();

    /** ROLLOUT_WATCH_ACTION_THREADS: how many batches of rollouts one tick changes at once. */
    @WithDefault("4")
    int actionThreads();

    /**
     * ROLLOUT_WATCH_BATCH_SIZE: the rollouts one tick must change are changed in batches of at most this
     * many, each batch in one transaction (one lock statement, one commit), the batches on the action threads.
     */
    @WithDefault("200")
    int batchSize();

    /**
     * ROLLOUT_WATCH_RESERVED_CONNECTIONS: connections of the pool that API requests never get, so that a flood
     * of requests cannot stall the watch (see {@code ConnectionReserve}). Less than the pool size.
     */
    @WithDefault("8")
    int reservedConnections();

    /** Names this instance in the history of the moves it makes itself; host:pid when unset. */
    Optional<String> instanceId();

    /** The configured id, or host:pid. */
    default String instanceName() {
        return instanceId().filter(s -> !s.isBlank()).orElseGet(() -> {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            return host + ":" + ProcessHandle.current().pid();
        });
    }
}
