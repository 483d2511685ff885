package dev.rollout.problem;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.rollout.rollout.RolloutRefused;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/** The one place where exceptions become problem+json responses. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem) {
        return Problems.toResponse(problem);
    }

    /**
     * A rollout's refusal is a 409 conflict (403 for one about who asks, such as approval-not-allowed); one that
     * ends by itself says when in Retry-After.
     */
    @ServerExceptionMapper
    public Response refused(RolloutRefused refused) {
        ApiProblem problem = new ApiProblem(refused.refusal().status(), refused.refusal().type(),
                refused.refusal().title(), refused.detail());
        refused.rolloutId().ifPresent(id -> problem.with("rolloutId", id));
        refused.facts().forEach(problem::with);
        refused.retryAfter().ifPresent(wait -> problem.header("Retry-After", Long.toString(RolloutRefused.seconds(wait))));
        return Problems.toResponse(problem);
    }

    // Quarkus ships mappers for the specific Jackson exceptions; these more specific ones take precedence.
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        Optional<String> duplicate = duplicateKey(e);
        if (duplicate.isPresent()) {
            return Problems.toResponse(400, "duplicate-key", "Bad request",
                    "field '" + duplicate.get() + "' appears more than once; give each field once");
        }
        return Problems.toResponse(400, e instanceof UnrecognizedPropertyException ? "unknown-field" : "invalid-json",
                "Bad request", describe(e));
    }

    /**
     * The path of the key given twice, when that is what the parser refused ({@code steps[0].percentage}).
     * Jackson has no exception type of its own for it: its strict duplicate detection raises a
     * {@link StreamReadException} whose parser still stands on the object holding the key.
     */
    static Optional<String> duplicateKey(Throwable e) {
        StreamReadException read = null;
        for (Throwable t = e; t != null && read == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StreamReadException candidate && candidate.getOriginalMessage() != null
                    && candidate.getOriginalMessage().startsWith("Duplicate field '")) {
                read = candidate;
            }
        }
        if (read == null) {
            return Optional.empty();
        }
        String message = read.getOriginalMessage();
        int close = message.indexOf('\'', "Duplicate field '".length());
        String key = close < 0 ? "" : message.substring("Duplicate field '".length(), close);
        JsonStreamContext context = read.getProcessor() == null ? null : read.getProcessor().getParsingContext();
        StringBuilder path = new StringBuilder(key);
        for (JsonStreamContext c = context == null ? null : context.getParent(); c != null && !c.inRoot();
                c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + c.getCurrentIndex() + "]" + (path.charAt(0) == '[' ? "" : "."));
            } else if (c.getCurrentName() != null) {
                path.insert(0, c.getCurrentName() + (path.charAt(0) == '[' ? "" : "."));
            }
        }
        return Optional.of(Problems.shortened(path.toString()));
    }

    /** A method the path does not answer: 405 with {@code Allow} naming the methods that work there. */
    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        Set<String> allowed = AllowedMethods.forPath(path).orElse(Set.of());
        String detail = request.getMethod() + " is not allowed here"
                + (allowed.isEmpty() ? "" : "; allowed: " + AllowedMethods.header(allowed));
        Response response = Problems.toResponse(405, "method-not-allowed", "Method not allowed", detail);
        return allowed.isEmpty() ? response
                : Response.fromResponse(response).header(HttpHeaders.ALLOW, AllowedMethods.header(allowed)).build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String type = switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "internal-error" : "http-" + status;
        };
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = status == 415 ? "send the request body as application/json"
                : status == 404 ? "no such resource" : title;
        return Problems.toResponse(status, type, title, detail);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (isDatabaseUnavailable(e)) {
            LOG.warnf("database unavailable: %s", rootMessage(e));
            return Problems.toResponse(503, "database-unavailable", "Service unavailable",
                    "the rollout database cannot be reached; nothing was changed, retry later");
        }
        LOG.error("unexpected error", e);
        return Problems.toResponse(500, "internal-error", "Internal error",
                "an unexpected error occurred; nothing was changed");
    }

    /**
     * True when the failure is the database being unreachable rather than a bug. Looks through the causes and
     * the suppressed exceptions: a commit that fails because the server ended the connection arrives as the
     * transaction manager's {@code RollbackException}, with the driver's error only suppressed in it.
     */
    static boolean isDatabaseUnavailable(Throwable e) {
        return isDatabaseUnavailable(e, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean isDatabaseUnavailable(Throwable e, Set<Throwable> seen) {
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            for (Throwable suppressed : t.getSuppressed()) {
                if (isDatabaseUnavailable(suppressed, seen)) {
                    return true;
                }
            }
            if (t instanceof ConnectException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
                String message = String.valueOf(sql.getMessage());
                if (message.contains("Acquisition timeout") || message.contains("This connection has been closed")) {
                    return true;
                }
            }
            if (t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + path(unknown.getPath()) + "'";
        }
        if (e instanceof InvalidFormatException invalid) {
            return "field '" + path(invalid.getPath()) + "' has an invalid value; expected "
                    + typeName(invalid.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch) {
            String field = path(mismatch.getPath());
            return field.isEmpty() ? "the request body has the wrong shape; expected a JSON object"
                    : "field '" + field + "' has the wrong type; expected " + typeName(mismatch.getTargetType());
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "field '" + path(mapping.getPath()) + "' is invalid";
        }
        String location = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return "the request body is not valid JSON" + location;
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
