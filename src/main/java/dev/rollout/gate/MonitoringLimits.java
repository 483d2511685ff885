package dev.rollout.gate;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much the gates may ask of the monitoring sources at once ({@link MonitoringRequests}).
 * ROLLOUT_MONITORING_MAX_CONCURRENT_REQUESTS.
 */
@ConfigMapping(prefix = "rollout.monitoring")
public interface MonitoringLimits {

    /** Monitoring requests in flight at once, for the whole service; the others wait their turn. */
    @WithDefault("16")
    int maxConcurrentRequests();
}
