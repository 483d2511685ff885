package dev.rollout.gate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertmanagerResponseParserTest {

    private final MonitoringHttp http = new MonitoringHttp("Alertmanager", MonitoringEndpoint.of("http://am:9093"));

    private List<Alert> parse(int status, String body) {
        return AlertmanagerResponseParser.parse(new MonitoringHttp.Reply(status, body), http);
    }

    private static String alert(String name, String state, String silencedBy, String inhibitedBy) {
        return """
                {"labels":{"alertname":"%s","severity":"warning"},"annotations":{},"fingerprint":"f",
                 "startsAt":"2025-10-20T21:00:00Z","endsAt":"2025-10-20T22:00:00Z","updatedAt":"2025-10-20T21:00:00Z",
                 "receivers":[{"name":"null"}],
                 "status":{"state":"%s","silencedBy":[%s],"inhibitedBy":[%s]}}""".formatted(name, state, silencedBy, inhibitedBy);
    }

    @Test
    void readsAlertsAndTheirStates() {
        List<Alert> alerts = parse(200, "[" + String.join(",",
                alert("TestSuiteNotRunning", "active", "", ""),
                alert("Silenced", "suppressed", "\"s1\"", ""),
                alert("Inhibited", "suppressed", "", "\"i1\""),
                alert("LyingState", "active", "\"s1\"", ""),
                alert("NotYetProcessed", "unprocessed", "", "")) + "]");
        assertEquals(5, alerts.size());
        assertEquals("TestSuiteNotRunning", alerts.get(0).name());
        assertEquals(Map.of("alertname", "TestSuiteNotRunning", "severity", "warning"), alerts.get(0).labels());
        assertEquals(List.of(true, false, false, false, true), alerts.stream().map(Alert::firing).toList());
        assertEquals(List.of(), parse(200, "[]"));
    }

    @Test
    void explainsHttpErrors() {
        assertEquals("HTTP 400 from Alertmanager at am:9093: bad matcher format: x",
                assertThrows(MonitoringException.class, () -> parse(400, "\"bad matcher format: x\"")).getMessage());
        assertEquals("HTTP 500 from Alertmanager at am:9093: boom",
                assertThrows(MonitoringException.class, () -> parse(500, "{\"code\":500,\"message\":\"boom\"}")).getMessage());
        assertEquals("HTTP 503 from Alertmanager at am:9093",
                assertThrows(MonitoringException.class, () -> parse(503, "<html>")).getMessage());
    }

    @Test
    void refusesMalformedAnswers() {
        for (String body : List.of("", "{}", "{\"alerts\":[]}", "[{\"labels\":{}}]", "[1]")) {
            String detail = assertThrows(MonitoringException.class, () -> parse(200, body)).getMessage();
            assertTrue(detail.startsWith("malformed response from Alertmanager at am:9093"), detail);
        }
    }

    @Test
    void anAlertWithoutAStateCountsAsFiring() {
        assertFalse(new Alert(Map.of(), "suppressed", List.of(), List.of()).firing());
        assertTrue(new Alert(Map.of(), "", List.of(), List.of()).firing());
        assertEquals("(no alertname)", new Alert(Map.of(), "active", List.of(), List.of()).name());
    }
}
