package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PlanWebhookValidationTest {

    private static final Set<String> ENDPOINTS = Set.of("traffic-router", "flags");

    private static PlanRequest withWebhook(PlanRequest.Webhook webhook) {
        return new PlanRequest("p", null, "MANUAL", "PAUSE", null, null,
                List.of(new PlanRequest.StepRequest(100.0, "PT0S")), null, webhook);
    }

    private static List<String> problems(PlanRequest.Webhook webhook) {
        return PlanValidator.validate(withWebhook(webhook), Set.of(), ENDPOINTS);
    }

    @Test
    void acceptsAConfiguredEndpoint() {
        assertEquals(List.of(), problems(PlanRequest.Webhook.endpoint("traffic-router")));
        assertEquals(List.of(), problems(PlanRequest.Webhook.endpoint("flags")));
    }

    @Test
    void refusesAnyUrlAndSaysWhatToSendInstead() {
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/",
                "http://[::1]/", "http://10.0.0.7/x", "https://flags.example/hook", "file:///etc/passwd")) {
            List<String> problems = problems(new PlanRequest.Webhook(null, url, "flags"));
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("webhook: a plan no longer names a URL or a secret"), problems.toString());
            assertTrue(problems.get(0).contains("{\"endpoint\": \"<name>\"}"), problems.toString());
            assertTrue(problems.get(0).contains("configured: flags, traffic-router"), problems.toString());
            assertTrue(!problems.get(0).contains(url), "the URL is not echoed");
        }
    }

    @Test
    void aPlanCannotChooseTheSecretOfAnEndpoint() {
        List<String> problems = problems(new PlanRequest.Webhook("traffic-router", null, "flags"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("webhook: a plan no longer names a URL or a secret"));
    }

    @Test
    void namesAnUnknownOrMalformedEndpoint() {
        List<String> unknown = problems(PlanRequest.Webhook.endpoint("payments"));
        assertTrue(unknown.get(0).startsWith("webhook.endpoint: no endpoint named 'payments' is configured"
                + " (configured: flags, traffic-router)"), unknown.toString());
        assertTrue(unknown.get(0).contains("ROLLOUT_WEBHOOK_ENDPOINTS_PAYMENTS_URL"), unknown.toString());
        assertTrue(problems(PlanRequest.Webhook.endpoint("Traffic_Router")).get(0)
                .startsWith("webhook.endpoint: must be 1-63 lowercase letters"));
        assertTrue(problems(PlanRequest.Webhook.endpoint(null)).get(0).startsWith("webhook.endpoint: is required"));
        assertTrue(PlanValidator.validate(withWebhook(PlanRequest.Webhook.endpoint("x")), Set.of(), Set.of()).get(0)
                .contains("(configured: none)"));
    }
}
