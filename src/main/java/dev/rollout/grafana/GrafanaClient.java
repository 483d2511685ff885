package dev.rollout.grafana;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.http.OutboundHttp;

/**
 * Grafana's annotations HTTP API: {@code POST /api/annotations} to create one, and
 * {@code GET /api/annotations?tags=...} to find one a lost answer may already have created. Every request
 * carries {@code Authorization: Bearer <service-account token>}; the token appears nowhere else.
 */
@ApplicationScoped
public class GrafanaClient {

    private final GrafanaConfig config;
    private final ObjectMapper json;
    private final HttpClient http;

    public GrafanaClient(GrafanaConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.http = OutboundHttp.client(config.timeout());
    }

    /** Creates an annotation; returns Grafana's id for it. */
    public String create(ObjectNode annotation) throws GrafanaException {
        HttpRequest request = request("/api/annotations")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(annotation.toString(), StandardCharsets.UTF_8))
                .build();
        JsonNode answer = send(request, "create annotation");
        JsonNode id = answer.get("id");
        if (id == null || id.isNull()) {
            throw new GrafanaException("Grafana's answer to create annotation has no id");
        }
        return id.asText();
    }

    /**
     * The id of an existing annotation around {@code timeMillis} that carries every one of {@code tags}
     * (Grafana ANDs repeated tags parameters); empty when there is none.
     */
    public Optional<String> find(List<String> tags, long timeMillis) throws GrafanaException {
        StringBuilder query = new StringBuilder("/api/annotations?type=annotation&limit=10")
                .append("&from=").append(timeMillis - 1000).append("&to=").append(timeMillis + 1000);
        for (String tag : tags) {
            query.append("&tags=").append(URLEncoder.encode(tag, StandardCharsets.UTF_8));
        }
        config.dashboardUid().filter(s -> !s.isBlank())
                .ifPresent(uid -> query.append("&dashboardUID=").append(URLEncoder.encode(uid, StandardCharsets.UTF_8)));
        JsonNode answer = send(request(query.toString()).GET().build(), "find annotation");
        if (!answer.isArray()) {
            throw new GrafanaException("Grafana's answer to find annotation is not a list");
        }
        for (JsonNode found : answer) {
            Set<String> present = new HashSet<>();
            found.path("tags").forEach(t -> present.add(t.asText()));
            if (present.containsAll(tags) && found.hasNonNull("id")) {
                return Optional.of(found.get("id").asText());
            }
        }
        return Optional.empty();
    }

    private HttpRequest.Builder request(String pathAndQuery) throws GrafanaException {
        String base = config.url().orElseThrow(() -> new GrafanaException("Grafana URL is not configured"));
        String token = config.token().orElseThrow(() -> new GrafanaException("Grafana token is not configured"));
        URI uri;
        try {
            uri = URI.create(base.replaceAll("/+$", "") + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw new GrafanaException("Grafana URL is not a valid URL");
        }
        return HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest request, String what) throws GrafanaException {
        HttpResponse<String> response;
        try {
            response = OutboundHttp.send(http, request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (OutboundHttp.TransportException e) {
            throw new GrafanaException(what + ": " + switch (e.kind()) {
                case CONNECT_TIMEOUT, TIMEOUT -> "Grafana did not answer within " + config.timeout();
                case INTERRUPTED -> "interrupted";
                default -> "cannot reach Grafana (" + e.getCause().getClass().getSimpleName() + ")";
            });
        }
        if (response.statusCode() / 100 != 2) {
            // The token is only ever sent, but an answer could still echo it.
            String answer = new OutboundHttp.Redactor().add(config.token().orElse(null))
                    .redact(OutboundHttp.clip(response.body(), 200));
            throw new GrafanaException(what + ": Grafana answered " + response.statusCode() + " " + answer);
        }
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new GrafanaException(what + ": Grafana's answer is not JSON");
        }
    }
}
