package dev.rollout.gate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.http.OutboundHttp;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP access to one monitoring endpoint: base URL, authentication, trusted CA and timeouts.
 *
 * <p>Built on {@link OutboundHttp} (client defaults, failure classification, redaction, bounded bodies,
 * CA trust); this class adds the endpoint's base URL, authentication and the monitoring wording of
 * failures. It runs without a Quarkus runtime, so the same client serves the service and plain tests.
 *
 * <p>All failures surface as {@link MonitoringException} whose message names the endpoint as
 * {@code host:port} and never contains credentials. A configuration problem (bad URL, unreadable
 * CA file, two kinds of authentication) does not stop the service: every request fails with it,
 * so the gates depending on the endpoint fail closed.
 */
final class MonitoringHttp {

    private static final Logger LOG = Logger.getLogger(MonitoringHttp.class);
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final String component;
    private final MonitoringEndpoint endpoint;
    private final String target;
    private final OutboundHttp.Redactor secrets = new OutboundHttp.Redactor();
    private final String baseUrl;
    private final String authorization;
    private final HttpClient client;
    private final String configProblem;

    MonitoringHttp(String component, MonitoringEndpoint endpoint) {
        this.component = component;
        this.endpoint = endpoint;
        URI url = endpoint.url();
        this.target = MonitoringEndpoint.hostAndPort(url);
        String user = endpoint.basicAuthUsername();
        String password = endpoint.basicAuthPassword();
        if (url.getRawUserInfo() != null) {
            secrets.add(url.getRawUserInfo());
            if (user == null) {
                String info = url.getUserInfo();
                int colon = info.indexOf(':');
                user = colon < 0 ? info : info.substring(0, colon);
                password = colon < 0 ? "" : info.substring(colon + 1);
            }
        }
        secrets.add(endpoint.bearerToken()).add(password);

        String problem = null;
        String auth = null;
        String base = null;
        HttpClient httpClient = null;
        try {
            base = stripUserInfo(url);
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("URL must start with http:// or https://");
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("URL has no host");
            }
            if (endpoint.bearerToken() != null && user != null) {
                throw new IllegalArgumentException("both bearer-token and basic-auth are configured; choose one");
            }
            if (endpoint.bearerToken() != null) {
                auth = "Bearer " + endpoint.bearerToken();
            } else if (user != null) {
                String encoded = Base64.getEncoder().encodeToString(
                        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
                secrets.add(encoded);
                auth = "Basic " + encoded;
            }
            HttpClient.Builder builder = OutboundHttp.clientBuilder(endpoint.connectTimeout())
                    .version(HttpClient.Version.HTTP_1_1);
            if (endpoint.caFile() != null) {
                builder.sslContext(OutboundHttp.trusting(endpoint.caFile()));
            }
            httpClient = builder.build();
        } catch (RuntimeException | IOException | java.security.GeneralSecurityException e) {
            problem = component + " at " + target + " is misconfigured: " + redact(String.valueOf(e.getMessage()));
            LOG.warn(problem);
        }
        this.baseUrl = base;
        this.authorization = auth;
        this.client = httpClient;
        this.configProblem = problem;
    }

    /** {@code host:port}, for messages. */
    String target() {
        return target;
    }

    /** GET {@code base + pathAndQuery}; completes with the status and body or fails with {@link MonitoringException}. */
    CompletableFuture<Reply> get(String pathAndQuery) {
        if (configProblem != null) {
            return CompletableFuture.failedFuture(new MonitoringException(configProblem));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(endpoint.readTimeout())
                .header("Accept", "application/json")
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<Reply> reply;
        try {
            reply = client.sendAsync(request.build(), OutboundHttp.limitedText(MAX_BODY_BYTES,
                            () -> new MonitoringException("response from " + component + " at " + target
                                    + " is larger than " + (MAX_BODY_BYTES / (1024 * 1024)) + " MiB")))
                    .thenApply(r -> new Reply(r.statusCode(), r.body()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new MonitoringException(describe(e)));
        }
        // The request timeout covers the wait for the response headers; this bounds the whole exchange.
        return reply
                .orTimeout(endpoint.connectTimeout().plus(endpoint.readTimeout()).toMillis(),
                        TimeUnit.MILLISECONDS)
                .handle((r, error) -> {
                    if (error == null) {
                        return r;
                    }
                    throw error instanceof MonitoringException m ? m
                            : error.getCause() instanceof MonitoringException m ? m
                            : new MonitoringException(describe(error));
                });
    }

    /** Turns a transport failure into a message a person can act on. */
    String describe(Throwable error) {
        OutboundHttp.Classified failure = OutboundHttp.classify(error);
        Throwable t = failure.cause();
        return switch (failure.kind()) {
            case CONNECT_TIMEOUT -> "timeout after " + OutboundHttp.formatTimeout(endpoint.connectTimeout())
                    + " connecting to " + component + " at " + target;
            case TIMEOUT -> "timeout after " + OutboundHttp.formatTimeout(endpoint.readTimeout()) + " querying "
                    + component + " at " + target;
            case UNRESOLVED_HOST -> "cannot resolve host of " + component + " at " + target;
            case CONNECTION_REFUSED -> "connection refused to " + component + " at " + target;
            case CANNOT_CONNECT -> "cannot connect to " + component + " at " + target + ": " + redact(t.getMessage());
            case TLS -> "TLS error talking to " + component + " at " + target + ": "
                    + redact(String.valueOf(t.getMessage()));
            case IO -> "I/O error querying " + component + " at " + target + ": " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + redact(t.getMessage()));
            case INTERRUPTED, OTHER -> "unexpected error querying " + component + " at " + target + ": "
                    + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + redact(t.getMessage()));
        };
    }

    /** "HTTP 503 from Prometheus at host:port" plus the server's explanation if it gave one. */
    String httpError(int status, String explanation) {
        String base = "HTTP " + status + " from " + component + " at " + target;
        if (status == 401 || status == 403) {
            base += " (check the configured credentials)";
        }
        return explanation == null || explanation.isBlank() ? base
                : base + ": " + Values.abbreviate(redact(explanation.strip()), 300);
    }

    String malformed(String what) {
        return "malformed response from " + component + " at " + target + ": " + redact(what);
    }

    /**
     * Replaces the configured secrets (token, password, user info, encoded basic credentials) in text
     * that may have come from elsewhere: exception messages and server replies.
     */
    String redact(String text) {
        return secrets.redact(text);
    }

    private static String stripUserInfo(URI url) {
        try {
            String base = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
                    .toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL");
        }
    }

    record Reply(int status, String body) {
        private static final ObjectMapper JSON = new ObjectMapper();

        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The body as JSON, or {@code null} when it is not JSON (error pages often are not). */
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                return null;
            }
        }
    }
}
