package dev.rollout.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.http.OutboundHttp;
import dev.rollout.outbox.DeliveryChannel;
import dev.rollout.outbox.OutboxRow;
import dev.rollout.outbox.RolloutEvent;

/**
 * A plan's optional step webhook: on every percentage change, a signed JSON POST so that the system
 * routing traffic (or evaluating feature flags) applies the new percentage. The body is fixed when the
 * event happens and sent byte for byte on every attempt, with {@code X-Rollout-Delivery: <rolloutId>:<seq>}
 * so that a receiver can drop a repeat: a webhook receiver cannot be asked whether it already applied a
 * call, so delivery is at least once.
 */
@ApplicationScoped
public class StepWebhooks implements DeliveryChannel {

    public static final String CHANNEL = "webhook";
    public static final String DELIVERY_HEADER = "X-Rollout-Delivery";

    private final ObjectMapper json;
    private final WebhookConfig config;
    private final WebhookSecrets secrets;
    private final HttpClient http;

    public StepWebhooks(ObjectMapper json, WebhookConfig config, WebhookSecrets secrets) {
        this.json = json;
        this.config = config;
        this.secrets = secrets;
        this.http = OutboundHttp.client(config.timeout());
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public Optional<ObjectNode> payloadFor(RolloutEvent event) {
        if (event.webhook() == null || !event.changesPercentage()) {
            return Optional.empty();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rolloutId", event.rolloutId().toString());
        body.put("seq", event.seq());
        body.put("plan", event.plan());
        body.put("planVersion", event.planVersion());
        body.put("target", event.target());
        body.put("version", event.version());
        body.put("from", event.fromPercentage());
        body.put("to", event.toPercentage());
        body.put("action", event.action().wireName());
        body.put("actor", event.actor());
        body.put("time", event.at().toString());
        ObjectNode payload = json.createObjectNode();
        payload.put("url", event.webhook().url());
        payload.put("secretRef", event.webhook().secretRef());
        try {
            payload.put("body", json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Optional.of(payload);
    }

    @Override
    public Result deliver(OutboxRow row) {
        String ref = row.payload().path("secretRef").asText();
        Optional<String> secret = secrets.secret(ref);
        if (secret.isEmpty()) {
            return new Failed("webhook secret '" + ref + "' is not configured");
        }
        byte[] body = row.payload().path("body").asText().getBytes(StandardCharsets.UTF_8);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(row.payload().path("url").asText()))
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header(WebhookSigner.HEADER, WebhookSigner.sign(secret.get(), body))
                    .header(DELIVERY_HEADER, row.rolloutId() + ":" + row.eventSeq())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return new Failed("webhook URL is not valid");
        }
        try {
            HttpResponse<Void> response = OutboundHttp.send(http, request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return new Delivered(null, false);
            }
            return new Failed("webhook answered " + response.statusCode());
        } catch (OutboundHttp.TransportException e) {
            return new Failed(switch (e.kind()) {
                case CONNECT_TIMEOUT, TIMEOUT -> "webhook did not answer within " + config.timeout();
                case INTERRUPTED -> "interrupted";
                default -> "cannot reach webhook (" + e.getCause().getClass().getSimpleName() + ")";
            });
        }
    }
}
