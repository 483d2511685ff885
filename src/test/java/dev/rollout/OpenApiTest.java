package dev.rollout;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Every endpoint of the contract is described at /q/openapi. */
@QuarkusTest
class OpenApiTest {

    @Test
    void describesEveryEndpoint() {
        ValidatableResponse openapi = given().accept("application/json").get("/q/openapi").then().statusCode(200);
        for (String path : new String[] { "/api/v1/plans", "/api/v1/plans/{name}", "/api/v1/plans/{name}/versions",
                "/api/v1/rollouts", "/api/v1/rollouts/{id}", "/api/v1/rollouts/{id}/advance",
                "/api/v1/rollouts/{id}/pause", "/api/v1/rollouts/{id}/resume", "/api/v1/rollouts/{id}/rollback",
                "/api/v1/rollouts/{id}/abort", "/api/v1/rollouts/{id}/history",
                "/api/v1/rollouts/{id}/deployment-state" }) {
            openapi.body("paths", hasKey(path));
        }
    }
}
