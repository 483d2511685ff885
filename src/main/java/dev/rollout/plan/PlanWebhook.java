package dev.rollout.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A stored plan's optional step webhook: the name of an endpoint the administrator configured
 * ({@code rollout.webhook.endpoints.<endpoint>.url} and {@code .secret}). Neither the URL nor the secret is
 * ever stored with a plan, so viewers of a plan see the endpoint's name only.
 *
 * <p>{@code urlRetired} is true, and {@code endpoint} null, for plan versions stored before webhooks named
 * endpoints, when a plan named a URL: that URL is no longer called and no longer shown (migration V10), and
 * each of their percentage changes is given up at once, which pauses the rollout ({@code webhook-undelivered}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanWebhook(String endpoint, Boolean urlRetired) {

    public static PlanWebhook endpoint(String name) {
        return new PlanWebhook(name, null);
    }
}
