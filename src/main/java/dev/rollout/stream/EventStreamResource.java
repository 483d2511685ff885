package dev.rollout.stream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.rollout.problem.ApiDocument;
import dev.rollout.security.CurrentActor;
import dev.rollout.security.RequiresRole;
import dev.rollout.security.Role;
import dev.rollout.security.ScopeGuard;
import io.vertx.ext.web.RoutingContext;

/** Every rollout's history events, live, as server-sent events (docs/events.md). */
@SecurityRequirement(name = ApiDocument.BEARER)
@APIResponse(responseCode = "401", ref = ApiDocument.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ApiDocument.FORBIDDEN)
@APIResponse(responseCode = "503", ref = ApiDocument.UNAVAILABLE)
@Path("/api/v1/events")
public class EventStreamResource {

    /** What both stream operations document for their stream. */
    public static final String DESCRIPTION = "A stream of history events (text/event-stream), oldest first: each "
            + "as 'id: <seq>', 'event: <action>', 'data: <the history event JSON plus rolloutId>'; a comment "
            + "line at least every 15 s. Without Last-Event-ID it starts with the events appended as it opens";

    private final EventStreams streams;
    private final CurrentActor actor;
    private final ScopeGuard scope;

    public EventStreamResource(EventStreams streams, CurrentActor actor, ScopeGuard scope) {
        this.streams = streams;
        this.actor = actor;
        this.scope = scope;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RequiresRole(Role.VIEWER)
    @APIResponse(responseCode = "200", description = DESCRIPTION + "; a credential limited to targets sees "
            + "only their events", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS,
                    schema = @Schema(implementation = StreamedEvent.class)))
    @APIResponse(responseCode = "400", ref = ApiDocument.BAD_REQUEST)
    @APIResponse(responseCode = "429", ref = ApiDocument.TOO_MANY_STREAMS)
    @Parameter(name = LastEventId.HEADER, in = ParameterIn.HEADER, description = "Resume after the event of "
            + "this id (seq): no gap, no duplicate", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
    public void events(@HeaderParam(LastEventId.HEADER) String lastEventId, @Context SseEventSink sink,
            @Context Sse sse, RoutingContext http) {
        Long after = LastEventId.parse(lastEventId);
        streams.open(actor.name(), new EventStreams.Filter(null, scope.scope()), after, sink, sse, http);
    }
}
