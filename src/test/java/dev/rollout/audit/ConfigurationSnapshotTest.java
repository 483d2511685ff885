package dev.rollout.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigurationSnapshotTest {

    @Test
    void settingsAreKeyedByTheirVariableAndSecretsAreOnlySet() {
        ConfigurationSnapshot snapshot = ConfigurationSnapshot.of(Map.of(
                "rollout.evaluation-interval", "15s",
                "ROLLOUT_AUTH_CACHE_TTL", "2s",
                "rollout.grafana.token", "glsa_secret_value",
                "ROLLOUT_DB_PASSWORD", "hunter2hunter2",
                "rollout.webhook.endpoints.router.secret", "s3cr3t",
                "rollout.prometheus.url", "https://scraper:pw@prom.internal:9090/api?token=abc#x",
                "rollout.db.url", "jdbc:postgresql://db:5432/rollout?password=oops",
                "rollout.controller.instance-id", "host-1:42",
                "quarkus.http.port", "8080",
                "PATH", "/usr/bin"));
        assertEquals(Map.of(
                "ROLLOUT_EVALUATION_INTERVAL", "15s",
                "ROLLOUT_AUTH_CACHE_TTL", "2s",
                "ROLLOUT_GRAFANA_TOKEN", "(set)",
                "ROLLOUT_DB_PASSWORD", "(set)",
                "ROLLOUT_WEBHOOK_ENDPOINTS_ROUTER_SECRET", "(set)",
                "ROLLOUT_PROMETHEUS_URL", "https://prom.internal:9090/api",
                "ROLLOUT_DB_URL", "(set)"), snapshot.settings());
        String shown = snapshot.toString();
        for (String secret : List.of("glsa_secret_value", "hunter2", "s3cr3t", "scraper", "pw@", "abc", "oops")) {
            assertFalse(shown.contains(secret), secret);
        }
    }

    @Test
    void changesNameWhatWasAddedRemovedOrChanged() {
        ConfigurationSnapshot now = ConfigurationSnapshot.of(Map.of("rollout.a", "1", "rollout.b", "2"));
        assertEquals(List.of(), now.changedSince(Map.of("ROLLOUT_A", "1", "ROLLOUT_B", "2")));
        assertEquals(List.of("ROLLOUT_B", "ROLLOUT_C"), now.changedSince(Map.of("ROLLOUT_A", "1", "ROLLOUT_B", "3",
                "ROLLOUT_C", "x")));
        assertEquals(List.of("ROLLOUT_A", "ROLLOUT_B"), now.changedSince(Map.of()));
    }
}
