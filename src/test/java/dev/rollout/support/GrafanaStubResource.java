package dev.rollout.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the Grafana stub for the application under test and points rollout.grafana.url at it, so every
 * test's events are delivered as annotations; tests that do not look at annotations never notice.
 */
public class GrafanaStubResource implements QuarkusTestResourceLifecycleManager {

    private static volatile GrafanaStub stub;

    /** The stub the running application sends annotations to. */
    public static GrafanaStub stub() {
        return stub;
    }

    @Override
    public Map<String, String> start() {
        stub = new GrafanaStub();
        return Map.of("rollout.grafana.url", stub.url(), "rollout.grafana.token", GrafanaStub.TOKEN);
    }

    @Override
    public void stop() {
        if (stub != null) {
            stub.stop();
        }
    }
}
