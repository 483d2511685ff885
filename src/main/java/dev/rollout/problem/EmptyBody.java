package dev.rollout.problem;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request with no body at all needs no media type: whatever {@code Content-Type} it names (or none), it is
 * read as an empty JSON body, so calls whose body is optional ({@code POST /rollouts/{id}/resume}) work as a
 * bare {@code curl -X POST}. A request that sends a body still has to say it is application/json (415
 * otherwise).
 */
public class EmptyBody {

    @ServerRequestFilter(preMatching = true)
    public void treatAsJson(ContainerRequestContext request) {
        if (request.getHeaderString("Transfer-Encoding") != null) {
            return;
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null || length.trim().equals("0")) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        }
    }
}
