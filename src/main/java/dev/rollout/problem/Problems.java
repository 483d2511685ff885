package dev.rollout.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** Builds problem+json responses; the only place that knows the body layout and the type URIs. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Type URIs are relative references ending in the refusal's name: {@code /problems/too-early}. */
    public static final String TYPE_PREFIX = "/problems/";

    /**
     * One title per problem type, whoever raises it: a client that shows the title sees the same words for
     * the same refusal. Types not listed keep the title they were raised with.
     */
    static final Map<String, String> TITLES = Map.ofEntries(
            Map.entry("not-found", "Not found"),
            Map.entry("not-progressing", "Rollout is not progressing"),
            Map.entry("not-paused", "Rollout is not paused"),
            Map.entry("already-finished", "Rollout already finished"),
            Map.entry("method-not-allowed", "Method not allowed"),
            Map.entry("bad-request", "Bad request"),
            Map.entry("invalid-request", "Bad request"),
            Map.entry("invalid-plan", "Bad request"),
            Map.entry("invalid-json", "Bad request"),
            Map.entry("duplicate-key", "Bad request"),
            Map.entry("unknown-field", "Bad request"));

    private Problems() {}

    private static final int SHOWN = 100;

    /** A caller's text as quoted in a problem: at most its first hundred characters. */
    public static String shortened(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
    }

    /** The title every response of this type carries. */
    public static String title(String type, String raisedWith) {
        return TITLES.getOrDefault(type, raisedWith);
    }

    public static Response toResponse(ApiProblem problem) {
        Map<String, Object> body = body(problem.status(), problem.type(), problem.title(), problem.detail());
        problem.extensions().forEach(body::putIfAbsent);
        Response.ResponseBuilder response = Response.status(problem.status()).type(MEDIA_TYPE).entity(body);
        problem.headers().forEach(response::header);
        return response.build();
    }

    public static Response toResponse(int status, String type, String title, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(body(status, type, title, detail)).build();
    }

    private static Map<String, Object> body(int status, String type, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title(type, title));
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        return body;
    }
}
