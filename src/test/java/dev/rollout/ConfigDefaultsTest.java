package dev.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import dev.rollout.outbox.OutboxConfig;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Defaults are declared once, with {@code @WithDefault} in the feature's configuration interface. The
 * schedules read their intervals as {@code ${rollout....}} expressions, which see those defaults as
 * plain configuration values.
 */
@QuarkusTest
class ConfigDefaultsTest {

    @Inject
    Config config;

    @Inject
    OutboxConfig outbox;

    @Test
    void mappingDefaultsAreConfigurationValues() {
        // Set nowhere, so only the mapping's default can answer.
        assertEquals(50, outbox.batchSize());
        assertEquals("50", config.getValue("rollout.outbox.batch-size", String.class));
    }
}
