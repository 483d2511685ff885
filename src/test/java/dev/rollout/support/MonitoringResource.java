package dev.rollout.support;

import java.util.Map;

import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.monitoring.MonitoringStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real Prometheus and Alertmanager for the application under test, scraping a target the tests
 * control (job "genesis-orchestrator"). Shared by every test of the JVM; tests reach it through
 * {@link #stack()} and {@link #target()}.
 */
public class MonitoringResource implements QuarkusTestResourceLifecycleManager {

    public static final String JOB = "genesis-orchestrator";

    /** The incident's alert, driven by a series the tests switch: genesis_test_suite_running 0 fires it. */
    public static final String TEST_SUITE_RULES = """
            groups:
              - name: genesis
                interval: 1s
                rules:
                  - alert: TestSuiteNotRunning
                    expr: genesis_test_suite_running == 0
                    for: 0s
                    labels: {severity: warning}
            """;

    private static MonitoringStack stack;
    private static FakeTarget target;

    @Override
    public Map<String, String> start() {
        target = new FakeTarget();
        healthy(target);
        stack = MonitoringStack.start(Map.of(JOB, target.address()));
        return Map.of("rollout.prometheus.url", stack.prometheusUrl(),
                "rollout.alertmanager.url", stack.alertmanagerUrl());
    }

    /** The orchestrator as it should be: up and reporting its application metrics. */
    public static void healthy(FakeTarget target) {
        target.start();
        target.set("genesis_operation_duration_seconds_count", 42);
        target.set("genesis_tests_total_total", 7);
        target.set("genesis_test_suite_running", 1);
    }

    public static MonitoringStack stack() {
        return stack;
    }

    public static FakeTarget target() {
        return target;
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
        if (target != null) {
            target.close();
        }
    }
}
