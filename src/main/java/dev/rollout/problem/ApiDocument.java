package dev.rollout.problem;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * What the OpenAPI document (/q/openapi) shares between operations: the bearer security scheme, the
 * problem+json body every refusal has, and the refusals many operations answer, which operations refer to
 * by name ({@code @APIResponse(responseCode = "404", ref = ApiDocument.NOT_FOUND)}). It is the JAX-RS
 * application class only so that the OpenAPI scanner reads this definition; it changes no path and lists
 * no resources (all are served).
 */
@OpenAPIDefinition(
        info = @Info(title = "Rollout controller API", version = "1",
                description = "Progressive rollouts whose steps advance only after the server-owned dwell time."),
        components = @Components(
                securitySchemes = @SecurityScheme(securitySchemeName = ApiDocument.BEARER,
                        type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "An API token (POST /api/v1/tokens) or, when configured, a JWT: "
                                + "Authorization: Bearer <token>."),
                responses = {
                        @APIResponse(name = ApiDocument.BAD_REQUEST, description = "The request is invalid; "
                                + "detail (and errors, when present) say what is wrong. Nothing was changed.",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.UNAUTHORIZED,
                                description = "No bearer token, or one that is unknown, revoked or expired.",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.FORBIDDEN,
                                description = "The caller's role does not allow this call.",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.NOT_FOUND, description = "No such resource (not-found).",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.STATE_CONFLICT, description = "The state does not "
                                + "allow it: not-progressing, not-paused or already-finished",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.PAYLOAD_TOO_LARGE,
                                description = "The request body is above the size limit (payload-too-large).",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.UNSUPPORTED_MEDIA_TYPE,
                                description = "The body is not application/json (unsupported-media-type).",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.RATE_LIMITED,
                                description = "The caller's budget of this kind of call is spent (rate-limited).",
                                headers = @Header(name = ApiDocument.RETRY_AFTER, required = true,
                                        description = "Seconds until the budget allows the call again.",
                                        schema = @Schema(type = SchemaType.INTEGER)),
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.TOO_MANY_STREAMS,
                                description = "The instance, or this credential on it, has as many event streams "
                                        + "open as allowed (too-many-streams).",
                                headers = @Header(name = ApiDocument.RETRY_AFTER, required = true,
                                        description = "Seconds after which to try again.",
                                        schema = @Schema(type = SchemaType.INTEGER)),
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))),
                        @APIResponse(name = ApiDocument.UNAVAILABLE,
                                description = "The database cannot be reached (database-unavailable); nothing "
                                        + "was changed, retry later.",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = ApiDocument.Problem.class))) }))
public class ApiDocument extends Application {

    public static final String BEARER = "bearer";
    public static final String RETRY_AFTER = "Retry-After";
    public static final String BAD_REQUEST = "BadRequest";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String FORBIDDEN = "Forbidden";
    public static final String NOT_FOUND = "NotFound";
    public static final String STATE_CONFLICT = "StateConflict";
    public static final String PAYLOAD_TOO_LARGE = "PayloadTooLarge";
    public static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    public static final String RATE_LIMITED = "RateLimited";
    public static final String TOO_MANY_STREAMS = "TooManyStreams";
    public static final String UNAVAILABLE = "Unavailable";

    /** The body of every refusal (RFC 9457); refusals add the members their description names. */
    @Schema(name = "Problem", description = "application/problem+json (RFC 9457). More members may be present: "
            + "errors (invalid input), earliestAdvanceAt and retryAfterSeconds (too-early), gates (gates-failing), "
            + "state (not-progressing, not-paused, already-finished), latestVersion (plan-version-exists).",
            additionalProperties = Schema.True.class)
    public record Problem(
            @Schema(required = true, description = "A URI reference ending in the refusal's name",
                    example = "/problems/too-early") String type,
            @Schema(required = true, description = "The same words for every refusal of this type",
                    example = "Too early") String title,
            @Schema(required = true, description = "The HTTP status", example = "409") int status,
            @Schema(description = "What happened and what to do", example = "the step at 5.0 % must dwell until "
                    + "2026-11-28T12:00:00Z") String detail) {
    }
}
