package dev.rollout;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SmokeTest {

    @Test
    void startsAndAdvances() {
        String id = Api.startManualRollout("PT1H");
        Api.get(id).then().statusCode(200).body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(0.0f));
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Api.advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
