package dev.rollout.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Reading the endpoints an administrator configured, from environment variables or properties. */
class WebhookEndpointsTest {

    private static final String SECRET_A = "0123456789abcdef0123456789abcdef";
    private static final String SECRET_B = "fedcba9876543210fedcba9876543210";

    /** Configuration as the service reads it: Quarkus reads durations such as "10s". */
    private static SmallRyeConfigBuilder builder() {
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 100, new DurationConverter());
    }

    private static WebhookEndpoints endpoints(Map<String, String> env, Map<String, String> properties) {
        SmallRyeConfig config = builder()
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withMapping(WebhookConfig.class).build();
        return new WebhookEndpoints(config, config.getConfigMapping(WebhookConfig.class));
    }

    @Test
    void readsEndpointsFromTheEnvironmentWithDashesInTheirNamesAndFromProperties() {
        WebhookEndpoints endpoints = endpoints(Map.of(
                "ROLLOUT_WEBHOOK_ENDPOINTS_TRAFFIC_ROUTER_URL", "https://router.internal/rollouts",
                "ROLLOUT_WEBHOOK_ENDPOINTS_TRAFFIC_ROUTER_SECRET", SECRET_A),
                Map.of("rollout.webhook.endpoints.flags.url", "http://flags.internal:8080/hook",
                        "rollout.webhook.endpoints.flags.secret", SECRET_B));
        assertEquals(Set.of("traffic-router", "flags"), endpoints.names());
        WebhookEndpoints.Endpoint router = endpoints.find("traffic-router").orElseThrow();
        assertEquals(URI.create("https://router.internal/rollouts"), router.url());
        assertEquals(SECRET_A, router.secret());
        assertEquals(SECRET_B, endpoints.find("flags").orElseThrow().secret());
        assertFalse(router.toString().contains(SECRET_A), "an endpoint never prints its secret");
        assertTrue(endpoints.find("traffic_router").isEmpty());
        assertTrue(endpoints.find(null).isEmpty());
    }

    @Test
    void anEndpointWithoutItsOwnSecretStopsTheServiceNamingTheSettingOnly() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> endpoints(
                Map.of("ROLLOUT_WEBHOOK_ENDPOINTS_ROUTER_URL", "https://router.internal/secret-path"), Map.of()));
        assertTrue(e.getMessage().contains("ROLLOUT_WEBHOOK_ENDPOINTS_ROUTER_SECRET"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-path"), "the URL is not quoted");

        IllegalStateException shortSecret = assertThrows(IllegalStateException.class, () -> endpoints(Map.of(
                "ROLLOUT_WEBHOOK_ENDPOINTS_ROUTER_URL", "https://router.internal/",
                "ROLLOUT_WEBHOOK_ENDPOINTS_ROUTER_SECRET", "hunter2"), Map.of()));
        assertTrue(shortSecret.getMessage().contains("at least 16"), shortSecret.getMessage());
        assertFalse(shortSecret.getMessage().contains("hunter2"), "the secret is not quoted");
    }

    @Test
    void anEndpointUrlMustBeAbsoluteHttpWithoutCredentials() {
        for (String url : new String[] { "ftp://router.internal/", "/relative", "https://user:pw@router.internal/" }) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> endpoints(Map.of(),
                    Map.of("rollout.webhook.endpoints.router.url", url,
                            "rollout.webhook.endpoints.router.secret", SECRET_A)));
            assertTrue(e.getMessage().contains("must be an absolute http or https URL"), e.getMessage());
            assertFalse(e.getMessage().contains(url), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> endpoints(Map.of(),
                Map.of("rollout.webhook.endpoints.Router.url", "https://router.internal/",
                        "rollout.webhook.endpoints.Router.secret", SECRET_A)));
    }

    @Test
    void attemptsAreAtLeastOne() {
        assertEquals(10, builder().withMapping(WebhookConfig.class).build()
                .getConfigMapping(WebhookConfig.class).maxAttempts());
        assertThrows(IllegalStateException.class, () -> endpoints(Map.of(),
                Map.of("rollout.webhook.max-attempts", "0")));
    }

    @Test
    void theOldSecretsAreToleratedAndNoEndpointComesOfThem() {
        assertTrue(endpoints(Map.of("ROLLOUT_WEBHOOK_SECRETS_FLAGS", SECRET_A),
                Map.of("rollout.webhook.secrets.flags", SECRET_A)).names().isEmpty());
    }
}
