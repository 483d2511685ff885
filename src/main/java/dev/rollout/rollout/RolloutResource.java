package dev.rollout.rollout;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

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

import dev.rollout.gate.GateResultStore;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.history.EventView;
import dev.rollout.history.History;
import dev.rollout.history.LegacyDeploymentState;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiProblem;
import dev.rollout.rollout.RolloutRules.Command;
import dev.rollout.security.CurrentActor;
import dev.rollout.security.RateLimited;
import dev.rollout.security.RateLimiter;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;
import dev.rollout.stream.EventStreamResource;
import dev.rollout.stream.EventStreams;
import dev.rollout.stream.LastEventId;
import dev.rollout.stream.StreamedEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RolloutResource {

    private final RolloutService rollouts;
    private final History history;
    private final CurrentActor actor;
    private final GateResultStore gateResults;
    private final ObjectMapper json;
    private final HeldAdvances held;
    private final ConnectionReserve reserve;
    private final EventStreams streams;

    public RolloutResource(RolloutService rollouts, History history, CurrentActor actor, GateResultStore gateResults,
            ObjectMapper json, HeldAdvances held, ConnectionReserve reserve, EventStreams streams) {
        this.rollouts = rollouts;
        this.streams = streams;
        this.held = held;
        this.reserve = reserve;
        this.json = json;
        this.gateResults = gateResults;
        this.history = history;
        this.actor = actor;
    }

    @POST
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @APIResponse(responseCode = "201", description = "Started: PROGRESSING at 0 %, stepIndex -1. A retry with the same "
            + "Idempotency-Key answers the first answer again, with Idempotent-Replayed: true",
            headers = @Header(name = HttpHeaders.LOCATION, description = "/api/v1/rollouts/{id}",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "active-rollout-exists: the target already has an active "
            + "rollout; frozen: a freeze covers the target (Retry-After, until, freezes)",
            headers = @Header(name = ApiDocument.RETRY_AFTER, description = "With frozen: seconds until the freeze "
                    + "ends", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    @APIResponse(responseCode = "422", description = "idempotency-key-reused: the Idempotency-Key was used for "
            + "another request", content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    public Response start(StartRequest request, @Context HttpHeaders headers) throws IOException {
        String idempotencyKey = IdempotencyStore.key(headers);
        RolloutService.Answer answer = rollouts.start(request, actor.name(), idempotencyKey);
        if (answer instanceof RolloutService.Replayed replayed) {
            RolloutView first = json.readValue(replayed.body(), RolloutView.class);
            return replay(Response.created(location(first.id())), replayed);
        }
        RolloutView started = ((RolloutService.Done) answer).rollout();
        return Response.created(location(started.id())).entity(started).build();
    }

    private static URI location(UUID id) {
        return URI.create("/api/v1/rollouts/" + id);
    }

    @GET
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "Rollouts, newest first; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @Parameter(name = "state", in = ParameterIn.QUERY, description = "Only rollouts in this state",
            schema = @Schema(implementation = RolloutState.class))
    @Parameter(name = "target", in = ParameterIn.QUERY, description = "Only rollouts whose target matches this "
            + "pattern: '*' matches any run of characters (payments-*), as in token target scopes",
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "plan", in = ParameterIn.QUERY, description = "Only rollouts of the plan of this name "
            + "(any version)", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = Page.LIMIT_DESCRIPTION,
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = Page.AFTER_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    public Response list(@Context UriInfo uri) {
        RolloutFilter filter = RolloutFilter.of(QueryParams.of(uri));
        PageRequest page = PageRequest.of(uri, 2);
        return rollouts.list(filter, page).map(RolloutView::of).response(uri);
    }

    @POST
    @Path("pause")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = FleetRequest.class)))
    @APIResponse(responseCode = "200", description = "Every matching PROGRESSING rollout in the caller's scope "
            + "paused, each with its own paused event; matching ones already PAUSED are listed as skipped",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FleetResult.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public FleetResult pauseAll(FleetRequest body) {
        return rollouts.bulk(Command.PAUSE, body, actor.name());
    }

    @POST
    @Path("resume")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = FleetRequest.class)))
    @APIResponse(responseCode = "200", description = "Every matching PAUSED rollout in the caller's scope "
            + "resumed with a fresh full dwell, each with its own resumed event; matching ones that are "
            + "PROGRESSING are listed as skipped",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FleetResult.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public FleetResult resumeAll(FleetRequest body) {
        return rollouts.bulk(Command.RESUME, body, actor.name());
    }

    @GET
    @Path("{id}")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The rollout",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @OnReadPool
    public Uni<RolloutView> get(@PathParam("id") String id) {
        // On the event loop: the row from the read pool, the answer written without a worker thread.
        return rollouts.read(parseId(id)).map(RolloutView::of);
    }

    @POST
    @Path("{id}/advance")
    @RequiresRole(Role.DEPLOYER)
    @RateLimited(RateLimiter.Bucket.ADVANCE)
    @Consumes(MediaType.WILDCARD)
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = AdvanceRequest.class)))
    @APIResponse(responseCode = "200", description = "Advanced: the rollout in its new state. A retry with "
            + "the same Idempotency-Key answers the first answer again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "Refused, nothing changed; when several apply, the first of: "
            + "not-progressing (state), frozen (Retry-After, until, freezes), outside-window (Retry-After, opensAt, "
            + "advanceWindows), too-early (Retry-After, earliestAdvanceAt; heldSince while gates in ERROR hold the "
            + "dwell), approval-required (the next step needs an operator's approval: nextPercentage), gates-failing "
            + "(gates, each with its evidence); or concurrent-change",
            headers = @Header(name = ApiDocument.RETRY_AFTER, description = "With frozen, outside-window and "
                    + "too-early: seconds until asking again can succeed", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    @APIResponse(responseCode = "422", description = "idempotency-key-reused: the Idempotency-Key was used for "
            + "another request", content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @Parameter(name = "wait", in = ParameterIn.QUERY, description = "Hold the request for at most this long "
            + "(ISO-8601, at most PT15M) while the answer would be too-early, gates-failing or approval-required: "
            + "200 as soon as the rollout advances, the latest refusal when the wait runs out, at once when the "
            + "rollout stops progressing", schema = @Schema(type = SchemaType.STRING, example = "PT10M"))
    @Blocking
    public CompletionStage<Response> advance(@PathParam("id") String id, @Context HttpHeaders headers,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @QueryParam("wait") String waitParam,
            RoutingContext http, byte[] rawBody) throws IOException {
        Optional<Duration> wait = WaitRules.parse(waitParam);
        UUID rolloutId = parseId(id);
        String idempotencyKey = IdempotencyStore.key(headers);
        AdvanceRequest body = AdvanceRequest.parse(rawBody, contentType, json);
        String overrideReason = null;
        if (body != null && body.overrides()) {
            actor.require(Role.ADMIN, "override the rules of an advance");
            overrideReason = ReasonRequest.check(body.reason(), true, "override");
        }
        try {
            return CompletableFuture.completedFuture(
                    advanced(rollouts.advance(rolloutId, actor.name(), idempotencyKey, overrideReason)));
        } catch (RolloutRefused refused) {
            if (wait.isEmpty() || !WaitRules.waitable(refused)) {
                throw refused;
            }
            HeldAdvances.Call call = new HeldAdvances.Call(rolloutId, actor.name(), idempotencyKey, overrideReason);
            CompletableFuture<RolloutService.Answer> answer = held.hold(call, refused, wait.get())
                    .orElseThrow(() -> refused);
            reserve.leave(http); // held: no database work until a try, which takes a permit of its own
            http.addEndHandler(ended -> answer.cancel(false)); // the client went away: stop trying
            CompletableFuture<Response> response = new CompletableFuture<>();
            answer.whenComplete((done, failure) -> {
                if (answer.isCancelled()) {
                    // Only the end handler cancels: the client is gone and reads no answer. An empty one ends
                    // the request quietly, where the cancellation would be logged as an unexpected error.
                    response.complete(Response.noContent().build());
                } else if (failure != null) {
                    response.completeExceptionally(failure); // a refusal: ProblemMapper answers it
                } else {
                    response.complete(advanced(done));
                }
            });
            return response;
        }
    }

    private static Response advanced(RolloutService.Answer answer) {
        if (answer instanceof RolloutService.Replayed replayed) {
            return replay(Response.ok(), replayed);
        }
        return Response.ok(((RolloutService.Done) answer).rollout()).build();
    }

    @POST
    @Path("{id}/pause")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReasonRequest.class)))
    @APIResponse(responseCode = "200", description = "Paused",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocument.STATE_CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public RolloutView pause(@PathParam("id") String id, ReasonRequest body) {
        return rollouts.command(parseId(id), Command.PAUSE, reason(body), actor.name());
    }

    @POST
    @Path("{id}/resume")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReasonRequest.class)))
    @APIResponse(responseCode = "200", description = "Resumed: PROGRESSING, with a fresh full dwell window",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocument.STATE_CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public RolloutView resume(@PathParam("id") String id, ReasonRequest body) {
        return rollouts.command(parseId(id), Command.RESUME, reason(body), actor.name());
    }

    @POST
    @Path("{id}/rollback")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReasonRequest.class)))
    @APIResponse(responseCode = "200", description = "Rolled back to 0 %",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocument.STATE_CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public RolloutView rollback(@PathParam("id") String id, ReasonRequest body) {
        return rollouts.command(parseId(id), Command.ROLLBACK, reason(body), actor.name());
    }

    @POST
    @Path("{id}/abort")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReasonRequest.class)))
    @APIResponse(responseCode = "200", description = "Aborted at its current percentage",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", ref = ApiDocument.STATE_CONFLICT)
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    public RolloutView abort(@PathParam("id") String id, ReasonRequest body) {
        return rollouts.command(parseId(id), Command.ABORT, reason(body), actor.name());
    }

    @POST
    @Path("{id}/approve")
    @RequiresRole(Role.OPERATOR)
    @RateLimited(RateLimiter.Bucket.WRITE)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ReasonRequest.class)))
    @APIResponse(responseCode = "200", description = "Approved: the next step may be entered once its dwell is over "
            + "and its gates pass (an approved event is recorded). Approving a step already approved changes "
            + "nothing and answers the rollout as it is; a retry with the same Idempotency-Key answers the first "
            + "answer again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "409", description = "Refused, nothing changed: approval-not-required (the next "
            + "step needs no approval), already-finished (the rollout is not active)",
            content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    @APIResponse(responseCode = "413", ref = ApiDocument.PAYLOAD_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "429", ref = ApiDocument.RATE_LIMITED)
    @APIResponse(responseCode = "422", description = "idempotency-key-reused: the Idempotency-Key was used for "
            + "another request", content = @Content(mediaType = Problems.MEDIA_TYPE,
                    schema = @Schema(implementation = ApiDocument.Problem.class)))
    public Response approve(@PathParam("id") String id, ReasonRequest body, @Context HttpHeaders headers) {
        RolloutService.Answer answer = rollouts.approve(parseId(id), reason(body), actor.name(),
                IdempotencyStore.key(headers));
        if (answer instanceof RolloutService.Replayed replayed) {
            return replay(Response.ok(), replayed);
        }
        return Response.ok(((RolloutService.Done) answer).rollout()).build();
    }

    @GET
    @Path("{id}/history")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The events, oldest first; paged",
            headers = @Header(name = "Link", description = Page.LINK_DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = EventView.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "At most this many events, 1 to 1000 "
            + "(default 1000)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "1000"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = "The seq of the last event already read: "
            + "events after it", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
    public Response history(@PathParam("id") String id, @Context UriInfo uri) {
        UUID rolloutId = parseId(id);
        PageRequest page = PageRequest.ofHistory(uri);
        Rollout rollout = rollouts.get(rolloutId);
        return Page.of(history.page(rollout.id, page.afterSeq(), page.fetchSize()), page, e -> Long.toString(e.seq))
                .map(EventView::of).response(uri);
    }

    /** The rollout's history events, live (docs/events.md). */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = EventStreamResource.DESCRIPTION,
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                    schema = @Schema(implementation = StreamedEvent.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    @APIResponse(responseCode = "429", ref = ApiDocument.TOO_MANY_STREAMS)
    @Parameter(name = LastEventId.HEADER, in = ParameterIn.HEADER, description = "Resume after the event of "
            + "this id (seq): no gap, no duplicate", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
    public void events(@PathParam("id") String id, @HeaderParam(LastEventId.HEADER) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse, RoutingContext http) {
        Long after = LastEventId.parse(lastEventId);
        Rollout rollout = rollouts.get(parseId(id));
        streams.open(actor.name(), new EventStreams.Filter(rollout.id, null), after, sink, sse, http);
    }

    /** The latest result of each of the rollout's gates, with the time it was taken. */
    @GET
    @Path("{id}/gates")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The latest result of each gate of the plan",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = GateResultStore.LatestResult.class, type = SchemaType.ARRAY)))
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    public List<GateResultStore.LatestResult> gates(@PathParam("id") String id) {
        Rollout rollout = rollouts.get(parseId(id));
        return gateResults.latest(rollout.id, rollout.plan.gates);
    }

    /** The seed system's deployment_state.json shape, for scripts that read that file. */
    @GET
    @Path("{id}/deployment-state")
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = "The legacy deployment_state.json shape",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = LegacyDeploymentState.class)))
    @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)
    public LegacyDeploymentState deploymentState(@PathParam("id") String id) {
        Rollout rollout = rollouts.get(parseId(id));
        return LegacyDeploymentState.of(rollout.currentPercentage, rollout.startedAt, history.of(rollout.id));
    }

    /** The first answer to a repeated Idempotency-Key, as it was, marked as a replay. */
    private static Response replay(Response.ResponseBuilder response, RolloutService.Replayed replayed) {
        return response.type(MediaType.APPLICATION_JSON).entity(replayed.body())
                .header("Idempotent-Replayed", "true").build();
    }

    private static String reason(ReasonRequest body) {
        return body == null ? null : body.reason();
    }

    static UUID parseId(String id) {
        try {
            if (id != null && id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // fall through: an id that is not a UUID names no rollout
        }
        throw ApiProblem.notFound("rollout", id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "..." : id);
    }

}
