package dev.rollout.audit;

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

import dev.rollout.page.Cursor;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiDocument;
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

    private final AuditLog audit;
    private final ScopeGuard scope;

    public AuditResource(AuditLog audit, ScopeGuard scope) {
        this.audit = audit;
        this.scope = scope;
    }

    @GET
    @APIResponse(responseCode = "200", description = "Audit entries, oldest first; a full page has a Link to the next",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = AuditEntry.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        scope.requireUnscoped("read the audit log");
        PageRequest page = PageRequest.of(uri, 1);
        long after = page.after() == null ? 0 : page.after().number(0);
        return Page.of(audit.page(after, page.fetchSize()), page, entry -> Cursor.encode(entry.seq())).response(uri);
    }
}
