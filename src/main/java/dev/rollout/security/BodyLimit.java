package dev.rollout.security;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Answers a request whose declared {@code Content-Length} exceeds {@code quarkus.http.limits.max-body-size}
 * with a 413 problem+json before anything reads it. (Quarkus' own check, which runs right after this
 * one, answers with an empty body; bodies sent without a length are cut off by it while being read.)
 * The limit is Quarkus' own setting, read as Quarkus declares it (default and all); application.properties
 * sets it.
 */
public class BodyLimit {

    static final int ORDER = -3; // just before Quarkus' upload limit (-2)

    void install(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        String body = "{\"type\":\"/problems/payload-too-large\",\"title\":\"Payload Too Large\",\"status\":413,"
                + "\"detail\":\"the request body must be at most " + max + " bytes; nothing was changed\"}";
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length, max)) {
                ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                        .putHeader(HttpHeaders.CONNECTION, "close").end(body);
                return;
            }
            ctx.next();
        });
    }

    static boolean tooLong(String length, long max) {
        try {
            return Long.parseLong(length.strip()) > max;
        } catch (NumberFormatException e) {
            return false; // malformed lengths are refused by the HTTP layer itself
        }
    }
}
