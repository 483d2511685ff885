package dev.rollout.freeze;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiDocument;
import dev.rollout.problem.Problems;
import dev.rollout.security.CurrentActor;
import dev.rollout.security.RateLimited;
import dev.rollout.security.RateLimiter;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;
import dev.rollout.security.ScopeGuard;

/**
 * Freezes: operators set and lift them, anyone may read them. A freeze spans targets a token scope may not
 * cover, so setting or lifting one needs a credential limited to no targets.
 */
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/freezes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FreezeResource {

    private final FreezeService freezes;
    private final CurrentActor actor;
    private final ScopeGuard scope;

    public FreezeResource(FreezeService freezes, CurrentActor actor, ScopeGuard scope) {
        this.freezes = freezes;
        this.actor = actor;
        this.scope = scope;
    }

    @POST
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @APIResponse(responseCode = "201", description = "The freeze, recorded in the audit log",
            headers = @Header(name = HttpHeaders.LOCATION, description = "/api/v1/freezes/{name}",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FreezeView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "409", description = "freeze-exists: a freeze of that name is not lifted",
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response create(FreezeRequest request) {
        scope.requireUnscoped("set a freeze");
        FreezeView created = freezes.create(request, actor.name());
        return Response.created(URI.create("/api/v1/freezes/" + created.name())).entity(created).build();
    }

    @GET
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The freezes not lifted (scheduled, in force or ended), by "
            + "name; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FreezeView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        return freezes.list(PageRequest.of(uri, 1)).response(uri);
    }

    /** Lifts the freeze at once; the body's reason is required and recorded in the audit log. */
    @DELETE
    @Path("{name}")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = LiftRequest.class)))
    @APIResponse(responseCode = "204", description = "Lifted")
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response lift(@PathParam("name") String name, LiftRequest body) {
        scope.requireUnscoped("lift a freeze");
        freezes.lift(name, body == null ? null : body.reason(), actor.name());
        return Response.noContent().build();
    }
}
