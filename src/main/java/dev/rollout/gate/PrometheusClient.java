package dev.rollout.gate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Instant queries against one Prometheus ({@code GET /api/v1/query}). */
public final class PrometheusClient {

    private final MonitoringHttp http;

    public PrometheusClient(MonitoringEndpoint endpoint) {
        this.http = new MonitoringHttp("Prometheus", endpoint);
    }

    /**
     * Runs an instant query at the server's current time.
     *
     * @return the result, or a future failed with {@link MonitoringException} saying what went wrong
     */
    public CompletableFuture<InstantQueryResult> query(String promql) {
        return http.get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .thenApply(reply -> PrometheusResponseParser.parse(reply, http));
    }

    /** {@code host:port} of the server. */
    public String target() {
        return http.target();
    }
}
