package dev.rollout.security;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ClientProxy;
import io.quarkus.arc.ManagedContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Problems;
import dev.rollout.rollout.ConnectionReserve;

/**
 * Authentication, authorisation and rate limits for every API call, before any resource method runs:
 * <ol>
 * <li>before matching, any {@code /api/} request without a well-formed {@code Authorization: Bearer}
 * header is refused with 401 (so even unknown API paths say nothing to anonymous callers);</li>
 * <li>after matching, the bearer value must name an active API token or a valid JWT (401), the caller
 * must hold the method's {@link RequiresRole} (403; a method without one is refused to everyone), and
 * a {@link RateLimited} method must fit the caller's budget (429 with {@code Retry-After}).</li>
 * </ol>
 * A bearer value that the verification cache does not know costs a database lookup only within the
 * bounds of {@link CredentialLookups} (per client address and for the whole instance); beyond them the
 * answer is 429 with {@code Retry-After}, and nothing was asked.
 * Credentials are never logged or echoed.
 */
public class AuthFilter {

    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    static final String REALM = "Bearer realm=\"rollout-controller\"";
    /** Longer Authorization headers are refused before anything else looks at them. */
    static final int MAX_AUTHORIZATION_LENGTH = 8192;

    private final TokenService tokens;
    private final JwtAuthenticator jwt;
    private final RateLimiter limiter;
    private final CurrentActor actor;
    private final ConnectionReserve reserve;

    public AuthFilter(TokenService tokens, JwtAuthenticator jwt, RateLimiter limiter, CurrentActor actor,
            ConnectionReserve reserve) {
        this.tokens = tokens;
        this.reserve = reserve;
        this.jwt = jwt;
        this.limiter = limiter;
        this.actor = actor;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public Optional<Response> requireBearer(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.equals("/api")) {
            return Optional.empty();
        }
        return bearer(request).isPresent() ? Optional.empty() : Optional.of(unauthorized(false));
    }

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public Uni<Response> authorize(ContainerRequestContext request, ResourceInfo resource, RoutingContext http) {
        Optional<String> bearer = bearer(request);
        if (bearer.isEmpty()) {
            return Uni.createFrom().item(unauthorized(false));
        }
        String secret = bearer.get();
        String address = clientAddress(http == null ? null : http.request());
        if (!Context.isOnEventLoopThread()) {
            return Uni.createFrom().item(decide(() -> authenticate(secret, address), address, resource, actor));
        }
        // On the event loop (a method that does not block): the cache answers at once, or the lookup runs on
        // a worker thread and the answer comes back to this event loop. The request's context is not active over
        // there: the actor is set on its own instance, taken here.
        Optional<Optional<Caller>> known = knownWithoutLookup(secret);
        if (known.isPresent()) {
            return Uni.createFrom().item(decide(known::get, address, resource, actor));
        }
        CurrentActor current = ClientProxy.unwrap(actor);
        return reserve.offEventLoop(http, () -> decide(() -> inRequestContext(() -> authenticate(secret, address)),
                address, resource, current));
    }

    /**
     * The answer to an authenticated request: null to go on (the caller set on {@code current}), else the
     * refusal (401, 403, 429).
     */
    private Response decide(Supplier<Optional<Caller>> authenticate, String address, ResourceInfo resource,
            CurrentActor current) {
        Optional<Caller> caller;
        try {
            caller = authenticate.get();
        } catch (CredentialLookups.Refused refused) {
            if (refused.perAddress()) {
                LOG.infof("failed-authentication budget reached by client address %s", address);
            }
            long retryAfter = refused.retryAfterSeconds();
            return Problems.toResponse(new ApiProblem(429, "rate-limited", "Too many requests",
                    (refused.perAddress() ? "too many unknown credentials from this address"
                            : "too many credentials are being checked at once")
                            + "; nothing was changed, retry in " + retryAfter + " s")
                    .with("retryAfterSeconds", retryAfter)
                    .header("Retry-After", Long.toString(retryAfter)));
        }
        if (caller.isEmpty()) {
            return unauthorized(true);
        }
        Method method = resource.getResourceMethod();
        RequiresRole required = method == null ? null : method.getAnnotation(RequiresRole.class);
        if (required == null && resource.getResourceClass() != null) {
            required = resource.getResourceClass().getAnnotation(RequiresRole.class);
        }
        if (required == null) {
            LOG.errorf("refused a call to %s: the method declares no @RequiresRole", method);
            return Problems.toResponse(new ApiProblem(403, "forbidden", "Forbidden",
                    "this operation is not available to any role"));
        }
        if (!caller.get().has(required.value())) {
            return Problems.toResponse(forbidden(required.value(), "call this operation"));
        }
        current.set(caller.get());
        RateLimited limited = method.getAnnotation(RateLimited.class);
        if (limited != null) {
            OptionalLong retryAfter = limiter.acquire(caller.get(), limited.value());
            if (retryAfter.isPresent()) {
                LOG.infof("rate limit (%s) reached by '%s'", limited.value(), caller.get().name());
                return Problems.toResponse(new ApiProblem(429, "rate-limited", "Too many requests",
                        "this credential has used its " + limited.value().name().toLowerCase()
                                + " budget; nothing was changed, retry in " + retryAfter.getAsLong() + " s")
                        .with("retryAfterSeconds", retryAfter.getAsLong())
                        .header("Retry-After", Long.toString(retryAfter.getAsLong())));
            }
        }
        return null;
    }

    /** Runs {@code work} on this worker thread in a request context of its own, as the lookup's session needs. */
    private static <T> T inRequestContext(Supplier<T> work) {
        ManagedContext context = Arc.container().requestContext();
        context.activate();
        try {
            return work.get();
        } finally {
            context.terminate();
        }
    }

    /** The caller when it is known without a database lookup (a JWT, a cached token); empty when it is not. */
    private Optional<Optional<Caller>> knownWithoutLookup(String bearer) {
        if (isJwt(bearer)) {
            return Optional.of(jwt.authenticate(bearer));
        }
        TokenCache.Known known = tokens.cached(bearer);
        return known == null ? Optional.empty() : Optional.of(known.caller());
    }

    private Optional<Caller> authenticate(String bearer, String clientAddress) {
        return isJwt(bearer) ? jwt.authenticate(bearer) : tokens.authenticate(bearer, clientAddress);
    }

    /** A JWT, verified on the CPU alone, when JWTs are enabled; else the bearer is an API token. */
    private boolean isJwt(String bearer) {
        return JwtAuthenticator.looksLikeJwt(bearer) && jwt.enabled();
    }

    /** The client's IP address (the proxy's, unless forwarded addresses from trusted proxies are enabled). */
    private static String clientAddress(HttpServerRequest http) {
        SocketAddress remote = http == null ? null : http.remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }

    /** The bearer credential, if the Authorization header is one well-formed Bearer value. */
    static Optional<String> bearer(ContainerRequestContext request) {
        java.util.List<String> headers = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (headers == null || headers.size() != 1) {
            return Optional.empty();
        }
        String header = headers.get(0);
        if (header == null || header.length() > MAX_AUTHORIZATION_LENGTH || header.length() < 8
                || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String value = header.substring(7).strip();
        return token68(value) ? Optional.of(value) : Optional.empty();
    }

    /** RFC 6750 token68 characters only, at least one. */
    private static boolean token68(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || "-._~+/=".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static Response unauthorized(boolean invalidToken) {
        return Problems.toResponse(new ApiProblem(401, "unauthenticated", "Unauthorized", invalidToken
                ? "the bearer token is not valid: unknown, revoked, expired or not issued for this service"
                : "send 'Authorization: Bearer <token>' with an API token or a JWT")
                .header(HttpHeaders.WWW_AUTHENTICATE, invalidToken ? REALM + ", error=\"invalid_token\"" : REALM));
    }

    static ApiProblem forbidden(Role required, String what) {
        return new ApiProblem(403, "forbidden", "Forbidden", "the " + required.wireName()
                + " role or higher is required to " + what).with("requiredRole", required.wireName());
    }
}
