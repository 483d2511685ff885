package dev.rollout.rollout;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.problem.ApiProblem;

/**
 * Optional body of {@code advance}. {@code override: true} (admin only, with a {@code reason}) moves the
 * rollout even though a rule would refuse: the dwell not being over (and, where gates apply, failing
 * gates). The move is recorded as an {@code override} event naming who and why.
 */
public record AdvanceRequest(Boolean override, String reason) {

    public boolean overrides() {
        return Boolean.TRUE.equals(override);
    }

    /**
     * Reads the body of an advance call. Deploy scripts call advance with no body and often with no
     * Content-Type: that is a plain advance. A body must be JSON and is read as strictly as any other.
     */
    static AdvanceRequest parse(byte[] body, String contentType, ObjectMapper json) throws IOException {
        if (body == null || body.length == 0) {
            return null;
        }
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            throw new ApiProblem(415, "unsupported-media-type", "Unsupported Media Type",
                    "send the request body as application/json");
        }
        return json.readValue(body, AdvanceRequest.class);
    }
}
