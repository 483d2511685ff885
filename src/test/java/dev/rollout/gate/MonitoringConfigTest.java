package dev.rollout.gate;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitoringConfigTest {

    private static MonitoringSources sources(Map<String, String> properties, Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(MonitoringConfig.DefaultPrometheus.class)
                .withMapping(MonitoringConfig.DefaultAlertmanager.class)
                .withMapping(MonitoringConfig.NamedSources.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .withSources(new EnvConfigSource(env, 300))
                .build();
        return MonitoringConfig.toSources(
                config.getConfigMapping(MonitoringConfig.DefaultPrometheus.class),
                config.getConfigMapping(MonitoringConfig.DefaultAlertmanager.class),
                config.getConfigMapping(MonitoringConfig.NamedSources.class));
    }

    @Test
    void nothingConfiguredMeansNoEndpoints() {
        MonitoringSources sources = sources(Map.of("rollout.evaluation-interval", "15s"), Map.of());
        assertEquals(new MonitoringSource(null, null), sources.defaultSource());
        assertEquals(Set.of(), sources.names());
    }

    @Test
    void readsTheDefaultSourceFromPropertiesAndEnvironment() {
        MonitoringSources sources = sources(Map.of(
                        "rollout.prometheus.url", "http://ignored:9090",
                        "rollout.prometheus.basic-auth.username", "admin",
                        "rollout.prometheus.basic-auth.password", "pw",
                        "rollout.prometheus.ca-file", "/etc/ssl/ca.pem",
                        "rollout.prometheus.read-timeout", "10s"),
                Map.of("ROLLOUT_PROMETHEUS_URL", "https://prom:9090",
                        "ROLLOUT_ALERTMANAGER_URL", "http://am:9093",
                        "ROLLOUT_ALERTMANAGER_BEARER_TOKEN", "tok",
                        "ROLLOUT_ALERTMANAGER_CONNECT_TIMEOUT", "500ms"));
        assertEquals(new MonitoringEndpoint(URI.create("https://prom:9090"), null, "admin", "pw",
                Path.of("/etc/ssl/ca.pem"), Duration.ofSeconds(2), Duration.ofSeconds(10)),
                sources.defaultSource().prometheus());
        assertEquals(new MonitoringEndpoint(URI.create("http://am:9093"), "tok", null, null, null,
                Duration.ofMillis(500), Duration.ofSeconds(5)), sources.defaultSource().alertmanager());
    }

    @Test
    void readsNamedSources() {
        MonitoringSources sources = sources(Map.of(
                "rollout.sources.\"eu-west\".prometheus.url", "http://prom-eu:9090",
                "rollout.sources.\"eu-west\".prometheus.bearer-token", "t",
                "rollout.sources.us.alertmanager.url", "http://am-us:9093"), Map.of());
        assertEquals(Set.of("eu-west", "us"), sources.names());
        MonitoringSource eu = sources.source("eu-west").orElseThrow();
        assertEquals(URI.create("http://prom-eu:9090"), eu.prometheus().url());
        assertEquals("t", eu.prometheus().bearerToken());
        assertNull(eu.alertmanager());
        MonitoringSource us = sources.source("us").orElseThrow();
        assertNull(us.prometheus());
        assertEquals(URI.create("http://am-us:9093"), us.alertmanager().url());
        assertEquals(Optional.empty(), sources.source("asia"));
        assertEquals(new MonitoringSource(null, null), sources.defaultSource());
    }

    @Test
    void anInvalidUrlIsRefusedWithoutRepeatingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sources(Map.of("rollout.prometheus.url", "http://user:s3cret@host name:9090"), Map.of()));
        assertTrue(e.getMessage().startsWith("rollout.prometheus.url is not a valid URL"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
}
