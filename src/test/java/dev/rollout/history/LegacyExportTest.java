package dev.rollout.history;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.history;
import static dev.rollout.support.Api.startManualRollout;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The legacy deployment_state.json shape, exactly as the seed's scripts read it. */
@QuarkusTest
class LegacyExportTest {

    private static final String PYTHON_ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00";

    @Test
    void exportsTheSeedFileShape() {
        String id = startManualRollout("PT1H");
        advance(id).then().statusCode(200);
        advance(id).then().statusCode(409); // refusals are not deploy steps
        String body = given().get("/api/v1/rollouts/" + id + "/deployment-state").then().statusCode(200)
                .contentType("application/json").extract().asString();
        JsonPath json = JsonPath.from(body);
        Map<String, Object> root = json.getMap("$");
        assertEquals(new TreeSet<>(List.of("current_percentage", "deployment_started", "last_step_time",
                "rollout_history")), new TreeSet<>(root.keySet()));
        assertTrue(body.contains("\"current_percentage\":5.0"), body);
        List<Map<String, Object>> entries = json.getList("rollout_history");
        assertEquals(2, entries.size());
        assertEquals(List.of("deploy_step", "deploy_step"), entries.stream().map(e -> e.get("action")).toList());
        assertEquals(List.of(0.0f, 5.0f), entries.stream().map(e -> e.get("percentage")).toList());
        for (Map<String, Object> entry : entries) {
            assertEquals(new TreeSet<>(List.of("action", "percentage", "timestamp")), new TreeSet<>(entry.keySet()));
            assertTrue(((String) entry.get("timestamp")).matches(PYTHON_ISO), entry.toString());
        }
        assertTrue(json.getString("deployment_started").matches(PYTHON_ISO));
        assertEquals(entries.get(1).get("timestamp"), json.getString("last_step_time"));
        assertEquals(entries.get(0).get("timestamp"), json.getString("deployment_started"));
    }

    @Test
    void aRollbackIsTheLastEntryWithItsTime() {
        String id = startManualRollout("PT0S");
        advance(id).then().statusCode(200);
        advance(id).then().statusCode(200); // at 10 %
        command(id, "rollback", "error budget").then().statusCode(200);
        JsonPath json = given().get("/api/v1/rollouts/" + id + "/deployment-state").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(0.0f, json.getFloat("current_percentage"));
        List<Map<String, Object>> entries = json.getList("rollout_history");
        assertEquals(List.of("deploy_step", "deploy_step", "deploy_step", "rollback"),
                entries.stream().map(e -> e.get("action")).toList());
        assertEquals(List.of(0.0f, 5.0f, 10.0f, 0.0f), entries.stream().map(e -> e.get("percentage")).toList());
        Map<String, Object> last = entries.get(entries.size() - 1);
        assertEquals(last.get("timestamp"), json.getString("last_step_time"));
        String rolledBackAt = (String) history(id).stream().filter(e -> "rolled_back".equals(e.get("action")))
                .findFirst().orElseThrow().get("at");
        assertEquals(java.time.Instant.parse(rolledBackAt),
                java.time.OffsetDateTime.parse((String) last.get("timestamp")).toInstant());
    }

    @Test
    void anAbortThatKeepsTheTrafficAddsNoEntry() {
        String id = startManualRollout("PT0S");
        advance(id).then().statusCode(200);
        command(id, "abort", "wrong build").then().statusCode(200);
        JsonPath json = given().get("/api/v1/rollouts/" + id + "/deployment-state").then().statusCode(200)
                .extract().jsonPath();
        List<Map<String, Object>> entries = json.getList("rollout_history");
        assertEquals(List.of(0.0f, 5.0f), entries.stream().map(e -> e.get("percentage")).toList());
        assertEquals(5.0f, json.getFloat("current_percentage"));
    }
}
