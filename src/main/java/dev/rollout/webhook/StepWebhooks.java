package dev.rollout.webhook;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.history.EventDetails;
import dev.rollout.history.HistoryEvent;
import dev.rollout.http.OutboundHttp;
import dev.rollout.outbox.DeliveryChannel;
import dev.rollout.outbox.Outbox;
import dev.rollout.outbox.OutboxRow;
import dev.rollout.outbox.RolloutEvent;
import dev.rollout.plan.PlanWebhook;
import dev.rollout.rollout.RolloutChanges;
import dev.rollout.rollout.RolloutWatch;
import dev.rollout.rollout.WatchConfig;

/**
 * A plan's optional step webhook: on every percentage change, a signed JSON POST to the endpoint the plan
 * names, so that the system routing traffic (or evaluating feature flags) applies the new percentage. The
 * endpoint's URL and secret come from the administrator's configuration ({@link WebhookEndpoints}), looked up
 * by name when each attempt is made; the outbox row holds the name and the body only. The body is fixed when
 * the event happens and sent byte for byte on every attempt, with {@code X-Rollout-Delivery:
 * <rolloutId>:<seq>} so that a receiver can drop a repeat (delivery is at least once), and a fresh
 * {@code X-Rollout-Timestamp} and signature ({@link WebhookSigner}) on each attempt.
 *
 * <p>Attempts are bounded ({@code rollout.webhook.max-attempts}). A call given up pauses its rollout
 * ({@code webhook-undelivered}) in the transaction that marks the row given up: a percentage the router never
 * applied must not keep dwelling as if it had.
 */
@ApplicationScoped
public class StepWebhooks implements DeliveryChannel {

    private static final Logger LOG = Logger.getLogger(StepWebhooks.class);

    public static final String CHANNEL = "webhook";
    public static final String DELIVERY_HEADER = "X-Rollout-Delivery";
    /** Why the calls of a plan version that named a URL are given up (see {@link PlanWebhook#urlRetired()}). */
    static final String URL_RETIRED = "the plan version names a webhook URL, which is no longer called: an "
            + "administrator configures an endpoint (ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_URL and _SECRET) and a new "
            + "plan version names it";

    private final ObjectMapper json;
    private final WebhookConfig config;
    private final WebhookEndpoints endpoints;
    private final RolloutChanges changes;
    private final String instance;
    private final Clock clock;
    private final HttpClient http;

    @Inject
    public StepWebhooks(ObjectMapper json, WebhookConfig config, WebhookEndpoints endpoints, RolloutChanges changes,
            WatchConfig watch) {
        this(json, config, endpoints, changes, watch.instanceName(), Clock.systemUTC());
    }

    StepWebhooks(ObjectMapper json, WebhookConfig config, WebhookEndpoints endpoints, RolloutChanges changes,
            String instance, Clock clock) {
        this.json = json;
        this.config = config;
        this.endpoints = endpoints;
        this.changes = changes;
        this.instance = instance;
        this.clock = clock;
        this.http = OutboundHttp.client(config.timeout());
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public int maxAttempts() {
        return config.maxAttempts();
    }

    @Override
    public Optional<ObjectNode> payloadFor(RolloutEvent event) {
        PlanWebhook webhook = event.webhook();
        if (webhook == null || !event.changesPercentage()) {
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
        if (webhook.endpoint() != null) {
            payload.put("endpoint", webhook.endpoint());
        } else {
            payload.put("urlRetired", true);
        }
        try {
            payload.put("body", json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Optional.of(payload);
    }

    @Override
    public Result deliver(OutboxRow row) {
        if (!row.payload().hasNonNull("endpoint")) {
            return new Undeliverable(URL_RETIRED);
        }
        String name = row.payload().get("endpoint").asText();
        Optional<WebhookEndpoints.Endpoint> endpoint = endpoints.find(name);
        if (endpoint.isEmpty()) {
            return new Failed("webhook endpoint '" + name + "' is not configured");
        }
        byte[] body = row.payload().path("body").asText().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(endpoint.get().url())
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(WebhookSigner.SIGNATURE_HEADER, WebhookSigner.sign(endpoint.get().secret(), timestamp, body))
                .header(DELIVERY_HEADER, row.rolloutId() + ":" + row.eventSeq())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<Void> response = OutboundHttp.send(http, request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return new Delivered(null, false);
            }
            return new Failed("webhook endpoint '" + name + "' answered " + response.statusCode());
        } catch (OutboundHttp.TransportException e) {
            return new Failed(switch (e.kind()) {
                case CONNECT_TIMEOUT, TIMEOUT -> "webhook endpoint '" + name + "' did not answer within "
                        + config.timeout();
                case INTERRUPTED -> "interrupted";
                default -> "cannot reach webhook endpoint '" + name + "' (" + e.getCause().getClass().getSimpleName()
                        + ")";
            });
        }
    }

    /**
     * Marks the row given up and pauses its rollout ({@code webhook-undelivered}), in one transaction under the
     * rollout's row lock: the give-up and the pause commit together or not at all.
     */
    @Override
    public boolean giveUp(OutboxRow row, int attempts, String error, String deliverer, Outbox outbox) {
        JsonNode body = body(row);
        EventDetails.WebhookUndelivered details = new EventDetails.WebhookUndelivered(
                row.payload().hasNonNull("endpoint") ? row.payload().get("endpoint").asText() : null,
                row.eventSeq(), number(body, "from"), number(body, "to"), attempts, error, instance);
        return changes.change(row.rolloutId(), RolloutChanges.LockMode.WAIT, null, locked -> {
            if (!outbox.givenUp(row, deliverer, error)) {
                return RolloutChanges.Decided.nothing(false);
            }
            Optional<HistoryEvent> paused = locked.rollout().webhookUndelivered(locked.now(), RolloutWatch.ACTOR,
                    details);
            if (paused.isEmpty()) {
                LOG.warnf("step webhook of event %d given up for rollout %s, which is %s: nothing to pause",
                        row.eventSeq(), row.rolloutId(), locked.rollout().state);
            }
            return new RolloutChanges.Decided<>(paused.map(List::of).orElse(List.of()), true);
        }).orElse(false);
    }

    private JsonNode body(OutboxRow row) {
        try {
            return json.readTree(row.payload().path("body").asText("{}"));
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }

    private static Double number(JsonNode body, String field) {
        return body.path(field).isNumber() ? body.get(field).asDouble() : null;
    }
}
