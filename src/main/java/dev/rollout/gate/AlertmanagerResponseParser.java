package dev.rollout.gate;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads the JSON answer of Alertmanager's {@code GET /api/v2/alerts}. */
final class AlertmanagerResponseParser {

    private AlertmanagerResponseParser() {
    }

    /**
     * @return every alert listed, whatever its state
     * @throws MonitoringException for an HTTP error or a malformed body
     */
    static List<Alert> parse(MonitoringHttp.Reply reply, MonitoringHttp http) {
        JsonNode root = reply.json();
        if (!reply.ok()) {
            String explanation = root == null ? null
                    : root.isTextual() ? root.asText()
                    : root.hasNonNull("message") ? root.path("message").asText() : null;
            throw new MonitoringException(http.httpError(reply.status(), explanation));
        }
        if (root == null || !root.isArray()) {
            throw new MonitoringException(http.malformed("body is not a JSON array of alerts"));
        }
        List<Alert> alerts = new ArrayList<>(root.size());
        for (JsonNode node : root) {
            JsonNode labelsNode = node.path("labels");
            JsonNode status = node.path("status");
            if (!labelsNode.isObject() || !status.isObject()) {
                throw new MonitoringException(http.malformed("alert without labels or status"));
            }
            Map<String, String> labels = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = labelsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                labels.put(label.getKey(), label.getValue().asText());
            }
            alerts.add(new Alert(labels, status.path("state").asText(""),
                    strings(status.path("silencedBy")), strings(status.path("inhibitedBy"))));
        }
        return alerts;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }
}
