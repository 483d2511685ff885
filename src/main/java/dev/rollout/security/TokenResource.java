package dev.rollout.security;

import java.net.URI;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** API token administration: admin only. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RequiresRole(Role.ADMIN)
public class TokenResource {

    private final TokenService tokens;
    private final CurrentActor actor;

    public TokenResource(TokenService tokens, CurrentActor actor) {
        this.tokens = tokens;
        this.actor = actor;
    }

    /** Creates a token; the answer holds its secret, which is never shown again. */
    @POST
    @RateLimited(RateLimiter.Bucket.WRITE)
    public Response create(TokenRequest request) {
        CreatedToken created = tokens.create(request, actor.name());
        return Response.created(URI.create("/api/v1/tokens/" + created.name())).entity(created)
                .header("Cache-Control", "no-store").build();
    }

    @GET
    public List<TokenView> list() {
        return tokens.list();
    }

    /** Revokes the token at once; its name stays taken. */
    @DELETE
    @Path("{name}")
    @RateLimited(RateLimiter.Bucket.WRITE)
    public Response revoke(@PathParam("name") String name) {
        tokens.revoke(name, actor.name());
        return Response.noContent().build();
    }
}
