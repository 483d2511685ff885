package dev.rollout.support;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Every @QuarkusTest runs against a real PostgreSQL database and real Prometheus and Alertmanager, with
 * fresh secrets configured, sends annotations to a Grafana stub, and
 * step webhooks to receivers configured as endpoints.
 */
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = MonitoringResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = GrafanaStubResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = SecurityResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = WebhookReceiverResource.class, restrictToAnnotatedClass = false)
public final class TestSetup {
    private TestSetup() {}
}
