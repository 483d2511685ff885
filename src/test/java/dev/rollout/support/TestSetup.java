package dev.rollout.support;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Every @QuarkusTest runs against a real PostgreSQL database and real Prometheus and Alertmanager, with
 * fresh secrets configured, and sends annotations to a Grafana stub.
 */
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = MonitoringResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = GrafanaStubResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = SecurityResource.class, restrictToAnnotatedClass = false)
public final class TestSetup {
    private TestSetup() {}
}
