package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PlanWebhookValidationTest {

    private static PlanRequest withWebhook(PlanWebhook webhook) {
        return new PlanRequest("p", null, "MANUAL", "PAUSE", null, null,
                List.of(new PlanRequest.StepRequest(100.0, "PT0S")), null, webhook);
    }

    @Test
    void acceptsAnHttpOrHttpsUrlWithAConfiguredSecret() {
        assertEquals(List.of(), PlanValidator.validate(withWebhook(new PlanWebhook("https://flags.example/hook", "flags")),
                Set.of(), "flags"::equals));
        assertEquals(List.of(), PlanValidator.validate(withWebhook(new PlanWebhook("http://10.0.0.7:8080/x", "flags")),
                Set.of(), "flags"::equals));
    }

    @Test
    void namesEveryWebhookProblem() {
        List<String> problems = PlanValidator.validate(withWebhook(new PlanWebhook("file:///etc/passwd", "a.b")), Set.of(), r -> true);
        assertTrue(problems.get(0).startsWith("webhook.url:"), problems.toString());
        assertTrue(problems.get(1).startsWith("webhook.secretRef: must be"), problems.toString());
        assertTrue(PlanValidator.validate(withWebhook(new PlanWebhook("https://u:p@host/x", "s")), Set.of(), r -> true).get(0)
                .startsWith("webhook.url:"));
        assertTrue(PlanValidator.validate(withWebhook(new PlanWebhook(null, null)), Set.of(), r -> true).size() == 2);
        assertTrue(PlanValidator.validate(withWebhook(new PlanWebhook("https://h/x", "unknown")), Set.of(), r -> false).get(0)
                .contains("no secret named 'unknown' is configured"));
    }
}
