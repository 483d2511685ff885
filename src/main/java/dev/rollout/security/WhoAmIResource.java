package dev.rollout.security;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.problem.ApiDocument;

/**
 * Who the bearer credential is: what a client (the dashboard) needs to show only the actions the caller may
 * take. It says nothing the caller does not already hold; the API still checks every call.
 */
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/whoami")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRole(Role.VIEWER)
public class WhoAmIResource {

    /**
     * The caller: {@code actor} is the name its events record, {@code role} its role, {@code targets} the
     * target patterns it is limited to ({@code null}: every target).
     */
    public record WhoAmI(String actor, String role,
            @Schema(nullable = true, description = "Target patterns the credential is limited to; null: every target")
            List<String> targets) {
    }

    private final CurrentActor actor;

    public WhoAmIResource(CurrentActor actor) {
        this.actor = actor;
    }

    @GET
    @APIResponse(responseCode = "200", description = "The caller's actor name, role and target scope",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WhoAmI.class)))
    public WhoAmI get() {
        // AuthFilter admitted the call, so there is a caller with at least the viewer role
        Caller caller = actor.caller().orElseThrow();
        return new WhoAmI(caller.name(), caller.role().wireName(), caller.scope().patterns());
    }
}
