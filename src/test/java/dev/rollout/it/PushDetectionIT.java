package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.TestDatabase;
import dev.rollout.support.monitoring.MonitoringStack;

/**
 * Push detection end to end: the real Alertmanager sends its webhook notification to instance A; both
 * instances evaluate the rollouts they own at once and pause them. The watch's own ticks are an hour apart,
 * so only the push can act within the test. A forged notification, about an alert Alertmanager does not
 * have, is evaluated the same way and pauses nothing.
 */
class PushDetectionIT {

    private static final int ROLLOUTS = 16; // owners are spread by hash: all on one instance would be 1 in 32,768

    @Test
    void alertmanagersNotificationPausesAtOnceOnEveryInstanceAndAForgedOneDoesNothing() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_push");
        try (MonitoringStack monitoring = MonitoringStack.start(Map.of());
                AppProcess a = AppProcess.start("push-a", env(db, monitoring, "push-a"));
                AppProcess b = AppProcess.start("push-b", env(db, monitoring, "push-b"))) {
            String viewer = a.post("/api/v1/tokens", Map.of("name", "alertmanager", "role", "viewer"))
                    .json().get("token").asText();
            monitoring.sendNotificationsTo(a.baseUrl() + "/api/v1/alertmanager/webhook", viewer);

            a.post("/api/v1/plans", plan("watched", "alertname=\"PushCheck\"", "team=\"payments\""));
            a.post("/api/v1/plans", plan("elsewhere", "alertname=\"SomethingElse\""));
            List<String> watched = new ArrayList<>();
            for (int i = 0; i < ROLLOUTS; i++) {
                watched.add(startAtFirstStep(a, "watched", "payments-" + i));
            }
            String elsewhere = startAtFirstStep(a, "elsewhere", "search-0");

            // A forged notification: evaluated by both instances, for the affected plan only; nothing pauses.
            AppProcess.Reply forged = a.postAs("/api/v1/alertmanager/webhook", viewer, Map.of("version", "4",
                    "status", "firing", "receiver", "controller", "groupKey", "{}:{}",
                    "alerts", List.of(Map.of("status", "firing",
                            "labels", Map.of("alertname", "PushCheck", "team", "payments")))));
            assertEquals(202, forged.status(), forged.toString());
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> counter(a, "rollout_watch_soon_rollouts_total")
                            + counter(b, "rollout_watch_soon_rollouts_total") >= ROLLOUTS);
            assertEquals(ROLLOUTS, counter(a, "rollout_watch_soon_rollouts_total")
                    + counter(b, "rollout_watch_soon_rollouts_total"), "only the affected plan's rollouts");
            for (String id : watched) {
                assertEquals("PROGRESSING", a.get("/api/v1/rollouts/" + id).json().get("state").asText(),
                        "a notification is a trigger, not the truth");
            }

            // The real alert: Alertmanager notifies A; every rollout is paused by the instance that owns it.
            monitoring.fireAlert(Map.of("alertname", "PushCheck", "team", "payments", "severity", "critical"),
                    Duration.ofMinutes(10));
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> watched.stream().allMatch(id -> "PAUSED".equals(
                            a.get("/api/v1/rollouts/" + id).json().get("state").asText())));
            Set<String> actedBy = new HashSet<>();
            for (String id : watched) {
                JsonNode violation = violation(a, id);
                actedBy.add(violation.path("details").path("instance").asText());
            }
            assertEquals(Set.of("push-a", "push-b"), actedBy, "both instances were woken and paused their own");
            assertEquals("PROGRESSING", a.get("/api/v1/rollouts/" + elsewhere).json().get("state").asText());
            assertTrue(counter(a, "rollout_push_notifications_total") >= 2, "A received the notifications");
        }
    }

    private static Map<String, String> env(TestDatabase.Location db, MonitoringStack monitoring, String instance) {
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_ALERTMANAGER_URL", monitoring.alertmanagerUrl());
        env.put("ROLLOUT_PROMETHEUS_URL", monitoring.prometheusUrl());
        env.put("ROLLOUT_EVALUATION_INTERVAL", "PT1H");
        env.put("ROLLOUT_WATCH_LEASE", "PT2H");
        env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", instance);
        return env;
    }

    private static Map<String, Object> plan(String name, String... matchers) {
        return Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"), Map.of("percentage", 100, "minDwell", "PT0S")),
                "gates", List.of(Map.of("name", "no-alerts", "kind", "no-firing-alerts", "matchers", List.of(matchers))));
    }

    private static String startAtFirstStep(AppProcess app, String plan, String target) {
        String id = app.post("/api/v1/rollouts", Map.of("plan", plan, "target", target, "version", "v1"))
                .json().get("id").asText();
        AppProcess.Reply advanced = app.post("/api/v1/rollouts/" + id + "/advance", Map.of());
        assertEquals(200, advanced.status(), advanced.toString());
        return id;
    }

    private static JsonNode violation(AppProcess app, String id) {
        for (JsonNode event : app.get("/api/v1/rollouts/" + id + "/history").json()) {
            if ("gate_violation".equals(event.path("action").asText())) {
                return event;
            }
        }
        throw new AssertionError("no gate_violation in the history of " + id);
    }

    private static double counter(AppProcess app, String name) {
        double total = 0;
        for (String line : app.metrics().body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
