package dev.rollout.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal the API reports as application/problem+json (RFC 9457). The {@code type} is the stable
 * name callers match on ("too-early", "gates-failing", ...); extra members go into the body as-is.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public ApiProblem with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    public ApiProblem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() { return status; }
    public String type() { return type; }
    public String title() { return title; }
    public String detail() { return getMessage(); }
    public Map<String, Object> extensions() { return extensions; }
    public Map<String, String> headers() { return headers; }

    public static ApiProblem badRequest(String type, String detail) {
        return new ApiProblem(400, type, "Bad request", detail);
    }

    public static ApiProblem notFound(String what, String id) {
        return new ApiProblem(404, "not-found", "Not found", what + " '" + id + "' does not exist");
    }

    public static ApiProblem conflict(String type, String title, String detail) {
        return new ApiProblem(409, type, title, detail);
    }
}
