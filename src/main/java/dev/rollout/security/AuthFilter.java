package dev.rollout.security;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Problems;

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

    public AuthFilter(TokenService tokens, JwtAuthenticator jwt, RateLimiter limiter, CurrentActor actor) {
        this.tokens = tokens;
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
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource,
            HttpServerRequest http) {
        Optional<String> bearer = bearer(request);
        if (bearer.isEmpty()) {
            return Optional.of(unauthorized(false));
        }
        Optional<Caller> caller;
        try {
            caller = authenticate(bearer.get(), clientAddress(http));
        } catch (CredentialLookups.Refused refused) {
            if (refused.perAddress()) {
                LOG.infof("failed-authentication budget reached by client address %s", clientAddress(http));
            }
            long retryAfter = refused.retryAfterSeconds();
            return Optional.of(Problems.toResponse(new ApiProblem(429, "rate-limited", "Too many requests",
                    (refused.perAddress() ? "too many unknown credentials from this address"
                            : "too many credentials are being checked at once")
                            + "; nothing was changed, retry in " + retryAfter + " s")
                    .with("retryAfterSeconds", retryAfter)
                    .header("Retry-After", Long.toString(retryAfter))));
        }
        if (caller.isEmpty()) {
            return Optional.of(unauthorized(true));
        }
        Method method = resource.getResourceMethod();
        RequiresRole required = method == null ? null : method.getAnnotation(RequiresRole.class);
        if (required == null && resource.getResourceClass() != null) {
            required = resource.getResourceClass().getAnnotation(RequiresRole.class);
        }
        if (required == null) {
            LOG.errorf("refused a call to %s: the method declares no @RequiresRole", method);
            return Optional.of(Problems.toResponse(new ApiProblem(403, "forbidden", "Forbidden",
                    "this operation is not available to any role")));
        }
        if (!caller.get().has(required.value())) {
            return Optional.of(Problems.toResponse(forbidden(required.value(), "call this operation")));
        }
        actor.set(caller.get());
        RateLimited limited = method.getAnnotation(RateLimited.class);
        if (limited != null) {
            OptionalLong retryAfter = limiter.acquire(caller.get(), limited.value());
            if (retryAfter.isPresent()) {
                LOG.infof("rate limit (%s) reached by '%s'", limited.value(), caller.get().name());
                return Optional.of(Problems.toResponse(new ApiProblem(429, "rate-limited", "Too many requests",
                        "this credential has used its " + limited.value().name().toLowerCase()
                                + " budget; nothing was changed, retry in " + retryAfter.getAsLong() + " s")
                        .with("retryAfterSeconds", retryAfter.getAsLong())
                        .header("Retry-After", Long.toString(retryAfter.getAsLong()))));
            }
        }
        return Optional.empty();
    }

    private Optional<Caller> authenticate(String bearer, String clientAddress) {
        if (JwtAuthenticator.looksLikeJwt(bearer) && jwt.enabled()) {
            return jwt.authenticate(bearer);
        }
        return tokens.authenticate(bearer, clientAddress);
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
        // RFC 6750 token68 characters only
        if (value.isEmpty() || !value.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9') || "-._~+/=".indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(value);
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
