package dev.rollout.push;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.problem.ApiDocument;
import dev.rollout.security.RateLimited;
import dev.rollout.security.RateLimiter;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;

/**
 * Alertmanager's webhook receiver. Any valid credential may call it: it only makes the controller look
 * sooner (see {@link PushDetection}). Calls count against the caller's writes budget: give Alertmanager a
 * token of its own. Beyond the budget a notification gets 429 and the rollouts are evaluated at the next tick.
 */
@Path("/api/v1/alertmanager/webhook")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
public class AlertmanagerWebhookResource {

    private final PushDetection push;

    public AlertmanagerWebhookResource(PushDetection push) {
        this.push = push;
    }

    @POST
    @RequiresRole(Role.VIEWER)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, description = "Alertmanager's webhook payload, version 4; fields other than "
            + "version, status and alerts[].status/labels are ignored",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AlertmanagerNotification.class)))
    @APIResponse(responseCode = "202", description = "Accepted: within a second every instance evaluates the "
            + "active rollouts whose gates the alerts could affect, asking Alertmanager and Prometheus as usual",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response receive(AlertmanagerNotification notification) {
        int alerts = push.accept(notification);
        return Response.accepted(new Accepted(alerts)).build();
    }

    /** The answer: how many alerts the notification named. */
    public record Accepted(int alerts) {
    }
}
