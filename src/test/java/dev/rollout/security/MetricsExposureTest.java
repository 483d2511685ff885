package dev.rollout.security;

import static dev.rollout.support.Api.startManualRollout;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Auth;
import dev.rollout.support.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * /q/metrics names rollouts, targets and gates: it is not served on the API port, to anyone, with or without
 * a credential, and it is served on the management port. Health stays on the API port for probes.
 */
@QuarkusTest
class MetricsExposureTest {

    @Test
    void metricsAreNotServedOnTheApiPort() {
        String id = startManualRollout("PT1H");
        Auth.anonymous().get("/q/metrics").then().statusCode(404)
                .body(not(containsString(id))).body(not(containsString("rollout_")));
        Auth.as(Auth.bootstrapToken()).get("/q/metrics").then().statusCode(404).body(not(containsString(id)));
        Auth.anonymous().get("/q/metrics/").then().statusCode(404);
    }

    @Test
    void metricsAreServedOnTheManagementPort() {
        String id = startManualRollout("PT1H");
        assertNotEquals(RestAssured.port, Metrics.managementPort(), "the management interface has its own port");
        Metrics.scrape().then().statusCode(200).body(containsString("rollout_percentage{"))
                .body(containsString(id));
    }

    @Test
    void healthStaysOpenOnTheApiPortForProbes() {
        Auth.anonymous().get("/q/health/live").then().statusCode(200);
        Auth.anonymous().get("/q/health/ready").then().statusCode(200);
        Auth.anonymous().get("/q/health").then().statusCode(200);
    }
}
