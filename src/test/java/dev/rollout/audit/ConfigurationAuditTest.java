package dev.rollout.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Auth;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/** The configuration the service starts with is on the audit record when it changed, without its secrets. */
@QuarkusTest
class ConfigurationAuditTest {

    @Inject
    ConfigurationAudit configuration;
    @Inject
    AuditLog audit;
    @Inject
    Config config;

    @Test
    void theStartingConfigurationIsRecordedWithoutSecretsAndOnlyWhenItChanged() {
        List<Map<String, Object>> entries = given().get("/api/v1/audit?limit=1000").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.action == 'configuration_changed' }");
        assertFalse(entries.isEmpty(), "the start-up configuration is recorded");
        Map<?, ?> settings = (Map<?, ?>) ((Map<?, ?>) entries.get(entries.size() - 1).get("details")).get("settings");
        assertEquals("1s", settings.get("ROLLOUT_EVALUATION_INTERVAL"));
        assertEquals("(set)", settings.get("ROLLOUT_BOOTSTRAP_ADMIN_TOKEN"));
        assertEquals("(set)", settings.get("ROLLOUT_PROMETHEUS_BASIC_AUTH_PASSWORD"));
        String all = given().get("/api/v1/audit?limit=1000").asString();
        for (String secret : List.of(Auth.bootstrapToken(),
                config.getValue("rollout.prometheus.basic-auth.password", String.class),
                config.getValue("rollout.grafana.token", String.class))) {
            assertFalse(all.contains(secret), "a secret is in the audit log");
        }

        // the same configuration again: nothing; a changed one: an entry naming what changed
        ConfigurationSnapshot now = configuration.current();
        assertFalse(configuration.record(now));
        Map<String, String> changed = new java.util.HashMap<>(now.settings());
        changed.put("ROLLOUT_EVALUATION_INTERVAL", "30s");
        assertTrue(configuration.record(new ConfigurationSnapshot(changed)));
        AuditEntry last = QuarkusTransaction.requiringNew().call(() -> audit.latest(AuditAction.CONFIGURATION_CHANGED))
                .orElseThrow();
        assertEquals(List.of("ROLLOUT_EVALUATION_INTERVAL"), last.details().get("changed"));
        assertEquals("configuration", last.actor());
        assertTrue(configuration.record(now), "back to what it was is a change too");
    }
}
