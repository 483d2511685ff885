package dev.rollout.gate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/** Lists alerts of one Alertmanager (API v2). */
public final class AlertmanagerClient {

    private final MonitoringHttp http;

    public AlertmanagerClient(MonitoringEndpoint endpoint) {
        this.http = new MonitoringHttp("Alertmanager", endpoint);
    }

    /**
     * The active, unsilenced, uninhibited alerts matching all {@code matchers}. Alertmanager filters
     * them; the states are checked again here so that a silenced or inhibited alert never counts.
     *
     * @return the firing alerts, or a future failed with {@link MonitoringException}
     */
    public CompletableFuture<List<Alert>> firingAlerts(List<AlertMatcher> matchers) {
        String filters = matchers.stream()
                .map(m -> "&filter=" + URLEncoder.encode(m.toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining());
        return http.get("/api/v2/alerts?active=true&silenced=false&inhibited=false" + filters)
                .thenApply(reply -> AlertmanagerResponseParser.parse(reply, http).stream()
                        .filter(Alert::firing)
                        .toList());
    }

    /** {@code host:port} of the server. */
    public String target() {
        return http.target();
    }
}
