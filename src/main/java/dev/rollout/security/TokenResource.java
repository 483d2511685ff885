package dev.rollout.security;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.HttpHeaders;

import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiDocument;
import dev.rollout.problem.Problems;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** API token administration: admin only. */
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RequiresRole(Role.ADMIN)
public class TokenResource {

    private final TokenService tokens;
    private final CurrentActor actor;
    private final ScopeGuard scope;

    public TokenResource(TokenService tokens, CurrentActor actor, ScopeGuard scope) {
        this.tokens = tokens;
        this.actor = actor;
        this.scope = scope;
    }

    /** Creates a token; the answer holds its secret, which is never shown again. */
    @POST
    @RateLimited(RateLimiter.Bucket.WRITE)
    @APIResponse(responseCode = "201", description = "The token, with its secret, shown this once",
            headers = @Header(name = HttpHeaders.LOCATION, description = "/api/v1/tokens/{name}",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = CreatedToken.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "409", description = "token-name-exists: names are never reused, even after revocation",
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response create(TokenRequest request) {
        scope.requireUnscoped("manage credentials");
        CreatedToken created = tokens.create(request, actor.name());
        return Response.created(URI.create("/api/v1/tokens/" + created.name())).entity(created)
                .header("Cache-Control", "no-store").build();
    }

    @GET
    @APIResponse(responseCode = "200", description = "Every token, without secrets, oldest first; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TokenView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        scope.requireUnscoped("manage credentials");
        return tokens.list(PageRequest.of(uri, 2)).response(uri);
    }

    /** Revokes the token at once; its name stays taken. */
    @DELETE
    @Path("{name}")
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RevokeRequest.class)))
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response revoke(@PathParam("name") String name, RevokeRequest body) {
        scope.requireUnscoped("manage credentials");
        tokens.revoke(name, actor.name(), body == null ? null : body.reason());
        return Response.noContent().build();
    }
}
