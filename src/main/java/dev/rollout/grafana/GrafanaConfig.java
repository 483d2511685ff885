package dev.rollout.grafana;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where annotations go. Annotations are on only when both the URL and the token are set. The token is a
 * secret: it is only ever put in the Authorization header, never in a log line, an error or the history.
 */
@ConfigMapping(prefix = "rollout.grafana")
public interface GrafanaConfig {

    /** Grafana's base URL, e.g. https://grafana.example.com (ROLLOUT_GRAFANA_URL). */
    Optional<String> url();

    /** A service-account token with the annotations:write and annotations:read permissions (ROLLOUT_GRAFANA_TOKEN). */
    Optional<String> token();

    /** Optional: tie annotations to this dashboard instead of making them organization annotations. */
    Optional<String> dashboardUid();

    /** Optional, with dashboardUid: tie annotations to this panel. */
    Optional<Long> panelId();

    /** Time limit of one request to Grafana; keep it well below rollout.outbox.lease. */
    @WithDefault("10s")
    Duration timeout();

    default boolean enabled() {
        return url().filter(u -> !u.isBlank()).isPresent() && token().filter(t -> !t.isBlank()).isPresent();
    }
}
