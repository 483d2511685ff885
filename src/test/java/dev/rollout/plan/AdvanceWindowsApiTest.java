package dev.rollout.plan;

import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Plans with advance windows: stored and shown as posted, refused when invalid, previewed with a warning. */
@QuarkusTest
class AdvanceWindowsApiTest {

    private static final Map<String, Object> WORKING_HOURS = Map.of("days", List.of("MON", "TUE", "WED", "THU"),
            "from", "09:00", "until", "16:00", "zone", "Europe/Berlin");

    private static Map<String, Object> windowed(String name, List<?> windows) {
        Map<String, Object> body = new HashMap<>(plan(name, "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("advanceWindows", windows);
        return body;
    }

    private static Response post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }

    @Test
    void aPlanKeepsItsWindowsAndRepostingItStoresNothing() {
        String name = unique("windowed");
        Map<String, Object> body = windowed(name, List.of(WORKING_HOURS));
        post("/api/v1/plans", body).then().statusCode(201).body("advanceWindows[0].zone", equalTo("Europe/Berlin"))
                .body("advanceWindows[0].days", equalTo(List.of("MON", "TUE", "WED", "THU")));
        post("/api/v1/plans", body).then().statusCode(200).body("version", equalTo(1));
        post("/api/v1/plans", windowed(name, List.of(Map.of("days", List.of("FRI"), "from", "22:00", "until", "06:00",
                "zone", "UTC")))).then().statusCode(201).body("version", equalTo(2));
    }

    @Test
    void badWindowsAreRefusedAndPreviewedWithTheSameErrors() {
        Map<String, Object> bad = windowed(unique("bad-windows"), List.of(Map.of("days", List.of("MONDAY"),
                "from", "9am", "until", "16:00", "zone", "Berlin")));
        List<String> errors = post("/api/v1/plans", bad).then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-plan"))
                .body("errors", hasItem("advanceWindows[0].from: must be a time HH:MM from 00:00 to 23:59, got '9am'"))
                .extract().path("errors");
        assertEquals(3, errors.size(), errors.toString());
        post("/api/v1/plans/preview", bad).then().statusCode(200).body("valid", equalTo(false))
                .body("errors", equalTo(errors));
        given().get("/api/v1/plans/" + bad.get("name")).then().statusCode(404);
        post("/api/v1/plans", windowed(unique("empty-windows"), List.of())).then().statusCode(400)
                .body("errors", hasItem(equalTo("advanceWindows: must list at least 1 window, or be left out to "
                        + "allow steps at any time")));
        Map<String, Object> unknown = new HashMap<>(WORKING_HOURS);
        unknown.put("timezone", "UTC");
        post("/api/v1/plans", windowed(unique("unknown-field"), List.of(unknown))).then().statusCode(400)
                .body("type", equalTo("/problems/unknown-field"));
    }

    @Test
    void thePreviewWarnsThatWindowsMakeAPlanLonger() {
        post("/api/v1/plans/preview", windowed(unique("preview-windows"), List.of(WORKING_HOURS))).then()
                .statusCode(200).body("valid", equalTo(true)).body("warnings.code", hasItem("advance-windows"))
                .body("minimumDuration", equalTo("PT6H"));
    }
}
