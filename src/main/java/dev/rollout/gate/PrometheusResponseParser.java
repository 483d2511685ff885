package dev.rollout.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollout.gate.InstantQueryResult.ResultType;
import dev.rollout.gate.InstantQueryResult.Sample;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the JSON answer of Prometheus's {@code GET /api/v1/query}. */
final class PrometheusResponseParser {

    private PrometheusResponseParser() {
    }

    /**
     * @throws MonitoringException for an HTTP error, an error answer or a malformed body
     */
    static InstantQueryResult parse(MonitoringHttp.Reply reply, MonitoringHttp http) {
        JsonNode root = reply.json();
        if (!reply.ok()) {
            String explanation = root != null && root.hasNonNull("error")
                    ? root.path("errorType").asText("error") + ": " + root.path("error").asText()
                    : null;
            throw new MonitoringException(http.httpError(reply.status(), explanation));
        }
        if (root == null || !root.isObject()) {
            throw new MonitoringException(http.malformed("body is not a JSON object"));
        }
        String status = root.path("status").asText("");
        if (!"success".equals(status)) {
            throw new MonitoringException("Prometheus at " + http.target() + " answered with an error: "
                    + http.redact(root.path("errorType").asText("unknown") + ": " + root.path("error").asText("")));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText("");
        JsonNode result = data.path("result");
        try {
            return switch (type) {
                case "vector" -> new InstantQueryResult(ResultType.VECTOR, vector(result));
                case "scalar" -> new InstantQueryResult(ResultType.SCALAR,
                        List.of(new Sample(Map.of(), value(result, "scalar result"))));
                case "matrix" -> new InstantQueryResult(ResultType.MATRIX, List.of());
                case "string" -> new InstantQueryResult(ResultType.STRING, List.of());
                default -> throw new IllegalArgumentException(type.isEmpty() ? "no data.resultType"
                        : "unknown resultType '" + Values.abbreviate(type, 40) + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new MonitoringException(http.malformed(e.getMessage()));
        }
    }

    private static List<Sample> vector(JsonNode result) {
        if (!result.isArray()) {
            throw new IllegalArgumentException("vector result is not an array");
        }
        List<Sample> samples = new ArrayList<>(result.size());
        for (JsonNode series : result) {
            Map<String, String> labels = new LinkedHashMap<>();
            JsonNode metric = series.path("metric");
            if (!metric.isObject() && !metric.isMissingNode()) {
                throw new IllegalArgumentException("series labels are not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                labels.put(label.getKey(), label.getValue().asText());
            }
            if (!series.has("value") && series.has("histogram")) {
                throw new IllegalArgumentException("series " + Values.labels(labels)
                        + " is a native histogram, which gates cannot compare");
            }
            samples.add(new Sample(labels, value(series.path("value"), "series " + Values.labels(labels))));
        }
        return samples;
    }

    /** A {@code [timestamp, "value"]} pair. */
    private static double value(JsonNode pair, String what) {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
            throw new IllegalArgumentException(what + " is not a [timestamp, \"value\"] pair");
        }
        String text = pair.get(1).asText();
        try {
            return Values.parse(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " has a value that is not a number: '"
                    + Values.abbreviate(text, 40) + "'");
        }
    }
}
