package dev.rollout.webhook;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

/**
 * The step webhooks' signing secrets, {@code rollout.webhook.secrets.<name>} (env
 * {@code ROLLOUT_WEBHOOK_SECRETS_<NAME>}), part of the webhook settings next to {@link WebhookConfig}.
 *
 * <p>The names are known only from plans, and an environment variable's name cannot tell whether a
 * {@code _} stood for {@code _}, {@code -} or {@code .}; so each secret is looked up by its full name,
 * which finds it however it was set, rather than read as a map.
 */
@ApplicationScoped
public class WebhookSecrets {

    static final String PREFIX = "rollout.webhook.secrets.";

    private final Config config;

    public WebhookSecrets(Config config) {
        this.config = config;
    }

    /** The secret a plan's {@code secretRef} names; empty when unset or blank. */
    public Optional<String> secret(String ref) {
        return config.getOptionalValue(PREFIX + ref, String.class).filter(secret -> !secret.isBlank());
    }

    /** Whether {@code ref} names a configured secret: a plan may only name one that is. */
    public boolean configured(String ref) {
        return secret(ref).isPresent();
    }
}
