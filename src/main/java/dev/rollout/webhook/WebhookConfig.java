package dev.rollout.webhook;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Step webhooks. An administrator configures each endpoint a plan may name, with its URL and its own signing
 * secret: {@code rollout.webhook.endpoints.<name>.url} and {@code .secret} (env
 * {@code ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_URL} and {@code _SECRET}). A plan names an endpoint, never a URL or
 * a secret.
 */
@ConfigMapping(prefix = "rollout.webhook")
public interface WebhookConfig {

    /** Time limit of one webhook request; keep it well below rollout.outbox.lease. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * Attempts one call gets (the first included) before it is given up, which pauses its rollout
     * ({@code webhook-undelivered}). With the outbox's default backoff (1 s doubling to 5 min), 10 attempts
     * span about 8.5 minutes.
     */
    @WithDefault("10")
    int maxAttempts();

    /**
     * The endpoints by name: declared here so that {@code rollout.webhook.endpoints.*} belongs to this
     * mapping. Read through {@link WebhookEndpoints}, which also finds them when they are set as environment
     * variables, whose names cannot say where a name with {@code -} in it ends.
     */
    Map<String, Endpoint> endpoints();

    /**
     * No longer used: before endpoints, plans named one of these secrets. Declared so that an old
     * {@code rollout.webhook.secrets.<name>} setting is reported by {@link WebhookEndpoints} with a warning
     * rather than stopping the service as an unknown property.
     */
    Map<String, String> secrets();

    interface Endpoint {
        Optional<String> url();

        Optional<String> secret();
    }
}
