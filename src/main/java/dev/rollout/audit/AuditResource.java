package dev.rollout.audit;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.problem.ApiDocument;
import dev.rollout.problem.QueryParams;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;
import dev.rollout.security.ScopeGuard;

/** The audit log: admins with no target scope only, oldest first, paged. */
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRole(Role.ADMIN)
public class AuditResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditLog audit;
    private final ScopeGuard scope;

    public AuditResource(AuditLog audit, ScopeGuard scope) {
        this.audit = audit;
        this.scope = scope;
    }

    @GET
    @APIResponse(responseCode = "200", description = "Audit entries, oldest first; a full page has a Link to the next",
            headers = @Header(name = "Link", description = "<...>; rel=\"next\" when there may be more",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AuditEntry.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "At most this many, 1 to 1000 (100)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = "The cursor from the previous page's Link",
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        scope.requireUnscoped("read the audit log");
        QueryParams query = QueryParams.of(uri);
        int limit = query.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        long after = AuditCursor.parse(query.single("after")).orElse(0);
        List<AuditEntry> rows = audit.page(after, limit + 1);
        List<AuditEntry> page = rows.size() > limit ? rows.subList(0, limit) : rows;
        Response.ResponseBuilder response = Response.ok(page);
        if (rows.size() > limit) {
            response.header("Link", "</api/v1/audit?limit=" + limit + "&after="
                    + AuditCursor.after(page.get(page.size() - 1).seq()) + ">; rel=\"next\"");
        }
        return response.build();
    }
}
