package dev.rollout.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Every @QuarkusTest runs against a real PostgreSQL database and real Prometheus and Alertmanager. */
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = MonitoringResource.class, restrictToAnnotatedClass = false)
public final class TestSetup {
    private TestSetup() {}
}
