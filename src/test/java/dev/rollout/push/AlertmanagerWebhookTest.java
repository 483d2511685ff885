package dev.rollout.push;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** {@code POST /alertmanager/webhook}: what it accepts, from whom, and what it refuses. */
@QuarkusTest
class AlertmanagerWebhookTest {

    /** A notification as Alertmanager 0.25 sends it, fields the controller does not read included. */
    private static final String REAL_PAYLOAD = """
            {"receiver":"rollout-controller","status":"firing",
             "alerts":[{"status":"firing","labels":{"alertname":"NoSuchAlertAnywhere","severity":"critical"},
               "annotations":{"summary":"error rate high"},"startsAt":"2026-11-28T10:00:00Z",
               "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph","fingerprint":"1a2b3c"}],
             "groupLabels":{"alertname":"NoSuchAlertAnywhere"},"commonLabels":{"alertname":"NoSuchAlertAnywhere"},
             "commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4",
             "groupKey":"{}:{alertname=\\"NoSuchAlertAnywhere\\"}","truncatedAlerts":0}
            """;

    @Test
    void alertmanagersPayloadIsAcceptedFromAViewer() {
        String viewer = Auth.newToken("viewer")[1];
        Auth.as(viewer).contentType(ContentType.JSON).body(REAL_PAYLOAD).post("/api/v1/alertmanager/webhook")
                .then().statusCode(202).body("alerts", equalTo(1));
    }

    @Test
    void withoutACredentialItIsRefused() {
        Auth.anonymous().contentType(ContentType.JSON).body(REAL_PAYLOAD).post("/api/v1/alertmanager/webhook")
                .then().statusCode(401);
    }

    @Test
    void anythingButAVersion4NotificationIsABadRequest() {
        String viewer = Auth.newToken("viewer")[1];
        refused(viewer, Map.of("version", "3", "alerts", List.of()), "version must be \"4\"");
        refused(viewer, Map.of("status", "firing", "alerts", List.of()), "version must be \"4\"");
        refused(viewer, Map.of("version", "4"), "alerts is required");
        refused(viewer, Map.of("version", "4", "alerts", List.of(Map.of("status", "firing"))),
                "every alert needs its labels");
        Auth.as(viewer).contentType(ContentType.JSON).body("{\"version\": \"4\", \"alerts\": [").post("/api/v1/alertmanager/webhook")
                .then().statusCode(400).contentType("application/problem+json");
    }

    private static void refused(String token, Map<String, Object> body, String detail) {
        Auth.as(token).contentType(ContentType.JSON).body(body).post("/api/v1/alertmanager/webhook").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", endsWith("/invalid-notification")).body("detail", containsString(detail));
    }
}
