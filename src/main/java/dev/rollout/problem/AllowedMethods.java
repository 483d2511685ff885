package dev.rollout.problem;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.rollout.audit.AuditResource;
import dev.rollout.push.AlertmanagerWebhookResource;
import dev.rollout.freeze.FreezeResource;
import dev.rollout.plan.PlanResource;
import dev.rollout.rollout.RolloutResource;
import dev.rollout.security.TokenResource;
import dev.rollout.security.WhoAmIResource;
import dev.rollout.stream.EventStreamResource;

/**
 * The methods each API path answers, read from the resource classes. {@code OPTIONS} advertises exactly
 * these in {@code Allow}, and a 405 names them in its {@code Allow} header, so a client is never told a
 * method works that then answers 405. {@code HEAD} comes with every {@code GET}; {@code OPTIONS} everywhere.
 */
public class AllowedMethods {

    static final List<Class<?>> RESOURCES = List.of(PlanResource.class, RolloutResource.class, TokenResource.class,
            AuditResource.class, EventStreamResource.class, AlertmanagerWebhookResource.class, FreezeResource.class,
            WhoAmIResource.class);

    private record Route(Pattern path, Set<String> methods) {
    }

    private static final List<Route> ROUTES = routes();

    /** The methods the path answers, or empty when no API resource serves the path. */
    public static Optional<Set<String>> forPath(String path) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<String> methods = new TreeSet<>();
        for (Route route : ROUTES) {
            if (route.path().matcher(normalized).matches()) {
                methods.addAll(route.methods());
            }
        }
        if (methods.isEmpty()) {
            return Optional.empty();
        }
        if (methods.contains(HttpMethod.GET)) {
            methods.add(HttpMethod.HEAD);
        }
        methods.add(HttpMethod.OPTIONS);
        return Optional.of(methods);
    }

    /** The value of an {@code Allow} header: "GET, HEAD, OPTIONS". */
    public static String header(Set<String> methods) {
        return String.join(", ", methods);
    }

    /**
     * Answers {@code OPTIONS} on API paths with the methods that work there. Runs after authentication:
     * an unauthenticated caller learns nothing about the API.
     */
    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION + 10)
    public Optional<Response> options(ContainerRequestContext request) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod())) {
            return Optional.empty();
        }
        return forPath(request.getUriInfo().getPath())
                .map(methods -> Response.noContent().header(HttpHeaders.ALLOW, header(methods)).build());
    }

    private static List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (Class<?> resource : RESOURCES) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getDeclaredMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String template = sub == null ? base : base + "/" + sub.value().replaceAll("^/+", "");
                Pattern pattern = Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+"));
                routes.add(new Route(pattern, Set.of(verb)));
            }
        }
        return List.copyOf(routes);
    }

    private static String verb(Method method) {
        if (method.isAnnotationPresent(GET.class)) {
            return HttpMethod.GET;
        }
        if (method.isAnnotationPresent(POST.class)) {
            return HttpMethod.POST;
        }
        if (method.isAnnotationPresent(PUT.class)) {
            return HttpMethod.PUT;
        }
        if (method.isAnnotationPresent(DELETE.class)) {
            return HttpMethod.DELETE;
        }
        if (method.isAnnotationPresent(PATCH.class)) {
            return HttpMethod.PATCH;
        }
        return null;
    }
}
