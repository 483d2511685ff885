package dev.rollout.grafana;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.audit.AuditAppended;
import dev.rollout.outbox.DeliveryChannel;
import dev.rollout.outbox.OutboxRow;
import dev.rollout.outbox.RolloutEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Every history event becomes one Grafana annotation. Its text and tags are read from the
 * {@code rollout_annotation} view (migration V5 builds them in SQL), the same row Grafana's PostgreSQL data
 * source shows, so the pushed annotation and the SQL one always say the same thing. The annotation carries the tags
 * {@code rollout:<id>} and {@code event:<seq>}, which together name the event uniquely: before sending a
 * row again after an attempt whose outcome is unknown, the channel looks for an annotation with both tags
 * and, if Grafana already has it, records that one instead of creating a second.
 */
@ApplicationScoped
public class GrafanaAnnotations implements DeliveryChannel {

    public static final String CHANNEL = "grafana";
    private static final Logger LOG = Logger.getLogger(GrafanaAnnotations.class);

    private final GrafanaConfig config;
    private final GrafanaClient client;
    private final ObjectMapper json;

    public GrafanaAnnotations(GrafanaConfig config, GrafanaClient client, ObjectMapper json) {
        this.config = config;
        this.client = client;
        this.json = json;
    }

    void announce(@jakarta.enterprise.event.Observes StartupEvent startup) {
        boolean url = config.url().filter(u -> !u.isBlank()).isPresent();
        boolean token = config.token().filter(t -> !t.isBlank()).isPresent();
        if (url && token) {
            LOG.infof("Grafana annotations on: %s", config.url().get());
        } else if (url || token) {
            LOG.warnf("Grafana annotations off: rollout.grafana.url and rollout.grafana.token must both be set "
                    + "(url %s, token %s)", url ? "set" : "missing", token ? "set" : "missing");
        } else {
            LOG.info("Grafana annotations off (rollout.grafana.url not set); events stay readable through the "
                    + "rollout_annotation view");
        }
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public Optional<ObjectNode> payloadFor(RolloutEvent event) {
        if (!config.enabled()) {
            return Optional.empty(); // off: nothing is queued, so nothing can queue forever
        }
        ObjectNode annotation = json.createObjectNode();
        config.dashboardUid().filter(s -> !s.isBlank()).ifPresent(uid -> annotation.put("dashboardUID", uid));
        config.panelId().ifPresent(panel -> annotation.put("panelId", panel));
        annotation.put("time", event.at().toEpochMilli());
        return Optional.of(annotation); // text and tags: see withAnnotation
    }

    /**
     * Freezes created and lifted (audit entries, not about one rollout) are annotations too, tagged
     * {@code freeze}: same channel, same delivery. Time, text and tags come from the {@code audit_annotation}
     * view as the row is queued.
     */
    @Override
    public Optional<ObjectNode> payloadForAudit(AuditAppended entry) {
        if (!config.enabled() || !entry.action().annotated()) {
            return Optional.empty();
        }
        ObjectNode annotation = json.createObjectNode();
        config.dashboardUid().filter(s -> !s.isBlank()).ifPresent(uid -> annotation.put("dashboardUID", uid));
        config.panelId().ifPresent(panel -> annotation.put("panelId", panel));
        return Optional.of(annotation);
    }

    /** The annotation's text and tags are the event's row of the view, added as the outbox row is queued. */
    @Override
    public boolean withAnnotation() {
        return true;
    }

    @Override
    public Result deliver(OutboxRow row) {
        ObjectNode annotation = row.payload();
        List<String> identity = row.isAudit() ? List.of("audit:" + row.auditSeq())
                : List.of("rollout:" + row.rolloutId(), "event:" + row.eventSeq());
        try {
            if (row.previousAttempts() > 0) {
                // An earlier attempt may have created it and died before recording so: look first.
                Optional<String> existing = client.find(identity, annotation.path("time").asLong());
                if (existing.isPresent()) {
                    return new Delivered(existing.get(), true);
                }
            }
            return new Delivered(client.create(annotation), false);
        } catch (GrafanaException e) {
            return new Failed(e.getMessage());
        }
    }
}
