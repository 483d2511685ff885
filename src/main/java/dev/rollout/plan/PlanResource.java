package dev.rollout.plan;

import java.net.URI;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.rollout.problem.ApiProblem;
import dev.rollout.security.CurrentActor;
import dev.rollout.security.RateLimited;
import dev.rollout.security.RateLimiter;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;

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
    public Response create(PlanRequest request) {
        PlanService.Applied applied = plans.create(request, actor.name());
        Plan plan = applied.plan();
        URI location = URI.create("/api/v1/plans/" + plan.name + "?version=" + plan.version);
        return (applied.created() ? Response.created(location) : Response.ok().location(location))
                .entity(PlanView.of(plan)).build();
    }

    @GET
    @RequiresRole(Role.VIEWER)
    public List<PlanView> list() {
        return plans.listLatest().stream().map(PlanView::of).toList();
    }

    /** The latest version, or the one named by {@code ?version=}. */
    @GET
    @Path("{name}")
    @RequiresRole(Role.VIEWER)
    public PlanView get(@PathParam("name") String name, @QueryParam("version") Integer version) {
        return plans.find(name, version).map(PlanView::of)
                .orElseThrow(() -> ApiProblem.notFound("plan", version == null ? name : name + " version " + version));
    }

    @GET
    @Path("{name}/versions")
    @RequiresRole(Role.VIEWER)
    public List<PlanView> versions(@PathParam("name") String name) {
        List<PlanView> versions = plans.versions(name).stream().map(PlanView::of).toList();
        if (versions.isEmpty()) {
            throw ApiProblem.notFound("plan", name);
        }
        return versions;
    }
}
