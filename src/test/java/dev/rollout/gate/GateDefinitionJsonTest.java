package dev.rollout.gate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GateDefinitionJsonTest {

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void readsTheGatesOfThePlanJson() throws Exception {
        List<GateDefinition> gates = json.readValue("""
                [{"name": "orchestrator-up", "kind": "target-up", "query": "up{job=\\"genesis-orchestrator\\"}"},
                 {"name": "app-metrics", "kind": "metrics-present",
                  "metrics": ["genesis_operation_duration_seconds_count", "genesis_tests_total_total"]},
                 {"name": "no-alerts", "kind": "no-firing-alerts", "matchers": ["severity=~\\"warning|critical\\""]},
                 {"name": "error-rate", "kind": "query-threshold", "query": "err", "condition": "< 0.01",
                  "aggregate": "max", "source": "eu"}]
                """, new TypeReference<>() {
        });
        assertEquals(List.of(
                GateDefinition.targetUp("orchestrator-up", "up{job=\"genesis-orchestrator\"}"),
                GateDefinition.metricsPresent("app-metrics",
                        List.of("genesis_operation_duration_seconds_count", "genesis_tests_total_total")),
                GateDefinition.noFiringAlerts("no-alerts", List.of("severity=~\"warning|critical\"")),
                GateDefinition.queryThreshold("error-rate", "err", "< 0.01").withAggregate("max").withSource("eu")),
                gates);
    }

    @Test
    void writesKindsInKebabCase() throws Exception {
        assertEquals("\"no-firing-alerts\"", json.writeValueAsString(GateKind.NO_FIRING_ALERTS));
    }

    @Test
    void refusesUnknownKindsAndFields() {
        assertThrows(InvalidFormatException.class,
                () -> json.readValue("{\"name\": \"g\", \"kind\": \"TARGET_UP\"}", GateDefinition.class));
        assertThrows(UnrecognizedPropertyException.class,
                () -> json.readValue("{\"name\": \"g\", \"kind\": \"target-up\", \"threshold\": 1}", GateDefinition.class));
    }
}
