package dev.rollout.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** A method a path does not answer gets 405 with Allow; OPTIONS advertises only methods that work. */
@QuarkusTest
class MethodNotAllowedTest {

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");

    @Test
    void a405NamesTheMethodsThatWork() {
        Response response = given().post("/api/v1/rollouts/00000000-0000-0000-0000-000000000000");
        response.then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("/problems/method-not-allowed")).body("status", equalTo(405));
        assertEquals("GET, HEAD, OPTIONS", response.header("Allow"));
        assertEquals("DELETE, OPTIONS", given().put("/api/v1/tokens/someone").then().statusCode(405)
                .extract().header("Allow"));
        assertEquals("OPTIONS, POST", given().get("/api/v1/rollouts/00000000-0000-0000-0000-000000000000/advance")
                .then().statusCode(405).extract().header("Allow"));
    }

    @Test
    void optionsAdvertisesExactlyTheMethodsThatDoNotAnswer405OnEveryPath() {
        Map<String, Object> paths = given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        assertFalse(paths.isEmpty());
        for (String template : paths.keySet()) {
            if (!template.startsWith("/api/v1")) {
                continue;
            }
            String path = template.replace("{id}", "00000000-0000-0000-0000-000000000000").replaceAll("\\{[^}]+}", "x");
            Response options = given().options(path);
            assertEquals(204, options.statusCode(), path + " " + options.asString());
            String allow = options.header("Allow");
            assertNotNull(allow, path);
            Set<String> advertised = Arrays.stream(allow.split(",")).map(String::trim)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(advertised.contains("OPTIONS"), path);
            // Every documented template the path matches counts: GET /plans/{name} also serves /plans/preview.
            Set<String> documented = new TreeSet<>();
            for (String other : paths.keySet()) {
                if (path.matches(other.replaceAll("\\{[^}]+}", "[^/]+"))) {
                    ((Map<?, ?>) paths.get(other)).keySet().forEach(m -> documented.add(m.toString().toUpperCase()));
                }
            }
            for (String method : METHODS) {
                // A Last-Event-ID that is not a seq: an event stream answers 400 instead of streaming forever.
                int status = given().header("Last-Event-ID", "not-a-seq").body("{}").contentType("application/json")
                        .request(method, path).statusCode();
                if (advertised.contains(method)) {
                    assertNotEquals(405, status, method + " " + path + " is advertised but answers 405");
                } else {
                    assertEquals(405, status, method + " " + path + " is not advertised but answers " + status);
                }
                if (!method.equals("HEAD")) {
                    assertEquals(advertised.contains(method), documented.contains(method),
                            method + " " + path + ": OPTIONS and the OpenAPI document disagree");
                }
            }
        }
    }
}
