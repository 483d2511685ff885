package dev.rollout.plan;

/**
 * A plan's optional step webhook: where every percentage change is POSTed, and the name of the configured
 * secret ({@code rollout.webhook.secrets.<secretRef>}) that signs it. The secret itself is never stored.
 */
public record PlanWebhook(String url, String secretRef) {
}
