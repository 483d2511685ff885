package dev.rollout.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** Builds problem+json responses; the only place that knows the body layout and the type URIs. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Type URIs are relative references ending in the refusal's name: {@code /problems/too-early}. */
    public static final String TYPE_PREFIX = "/problems/";

    private Problems() {}

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
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        return body;
    }
}
