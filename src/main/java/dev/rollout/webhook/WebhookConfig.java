package dev.rollout.webhook;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Step webhooks. The signing secrets are configured one per name as {@code rollout.webhook.secrets.<name>}
 * (env {@code ROLLOUT_WEBHOOK_SECRETS_<NAME>}); a plan names one in {@code webhook.secretRef} and never
 * holds the secret itself.
 */
@ConfigMapping(prefix = "rollout.webhook")
public interface WebhookConfig {

    /** Time limit of one webhook request; keep it well below rollout.outbox.lease. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * The secrets by name: declared here so that {@code rollout.webhook.secrets.*} belongs to this mapping.
     * Read one name at a time through {@link WebhookSecrets}, which also finds
     * {@code ROLLOUT_WEBHOOK_SECRETS_<NAME>} in the environment whatever the name's punctuation.
     */
    Map<String, String> secrets();
}
