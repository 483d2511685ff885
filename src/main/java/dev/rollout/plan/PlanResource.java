package dev.rollout.plan;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.HttpHeaders;

import dev.rollout.problem.ApiDocument;
import dev.rollout.problem.Problems;
import dev.rollout.problem.QueryParams;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiProblem;
import dev.rollout.security.CurrentActor;
import dev.rollout.security.RateLimited;
import dev.rollout.security.RateLimiter;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;

@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PlanResource {

    private final PlanService plans;
    private final CurrentActor actor;

    public PlanResource(PlanService plans, CurrentActor actor) {
        this.plans = plans;
        this.actor = actor;
    }

    @POST
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @APIResponse(responseCode = "201", description = "A new plan version was stored",
            headers = @Header(name = HttpHeaders.LOCATION, description = "The stored version: "
                    + "/api/v1/plans/{name}?version={version}",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanView.class)))
    @APIResponse(responseCode = "200", description = "The request is identical to the latest version, which "
            + "is answered; nothing was stored",
            headers = @Header(name = HttpHeaders.LOCATION, description = "The existing version: "
                    + "/api/v1/plans/{name}?version={version}",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "409", description = "plan-version-exists: the version asked for exists with "
            + "other content",
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public Response create(PlanRequest request) {
        PlanService.Applied applied = plans.create(request, actor.name());
        Plan plan = applied.plan();
        URI location = URI.create("/api/v1/plans/" + plan.name + "?version=" + plan.version);
        return (applied.created() ? Response.created(location) : Response.ok().location(location))
                .entity(PlanView.of(plan)).build();
    }

    /**
     * Checks a plan without storing it: 200 whether or not it is valid ({@code valid}, {@code errors} as
     * {@code POST /plans} would name them), with its schedule, minimum duration and lint warnings.
     */
    @POST
    @Path("preview")
    @RequiresRole(Role.VIEWER)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, description = "A plan, as for POST /plans",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanRequest.class)))
    @APIResponse(responseCode = "200", description = "The preview; nothing was stored. A plan POST /plans would "
            + "refuse has valid false and the same errors",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanPreview.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public PlanPreview preview(PlanRequest request) {
        return plans.preview(request);
    }

    @GET
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The latest version of every plan, by name; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        return plans.listLatest(PageRequest.of(uri, 1)).map(PlanView::of).response(uri);
    }

    /** The latest version, or the one named by {@code ?version=}. */
    @GET
    @Path("{name}")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The plan version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanView.class)))
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @Parameter(name = "version", in = ParameterIn.QUERY, description = "This version instead of the latest",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1"))
    public PlanView get(@PathParam("name") String name, @Context UriInfo uri) {
        Integer version = QueryParams.of(uri).integer("version", null, 1, Integer.MAX_VALUE);
        return plans.find(name, version).map(PlanView::of)
                .orElseThrow(() -> ApiProblem.notFound("plan", version == null ? name : name + " version " + version));
    }

    @GET
    @Path("{name}/versions")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "Every version of the plan, oldest first; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response versions(@PathParam("name") String name, @Context UriInfo uri) {
        PageRequest page = PageRequest.of(uri, 1);
        if (plans.latest(name).isEmpty()) {
            throw ApiProblem.notFound("plan", name);
        }
        return plans.versions(name, page).map(PlanView::of).response(uri);
    }
}
