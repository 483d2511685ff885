package dev.rollout.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The shipped Grafana assets fit together: the dashboard uses only provisioned data sources, carries both
 * annotation sources, and its SQL annotation query runs against the real rollout_annotation view.
 */
@QuarkusTest
public class GrafanaAssetsTest {

    static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/rollouts.json");
    static final Path DATASOURCES = Path.of("deploy/grafana/provisioning/datasources/rollout-controller.yml");

    @Inject
    EntityManager em;

    public static JsonNode dashboard() throws Exception {
        return new ObjectMapper().readTree(Files.readString(DASHBOARD));
    }

    /** Every PromQL expression of the dashboard, with its variables filled in. */
    public static List<String> promqlExpressions() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText().replace("$target", ".*").replace("$plan", ".*")
                        .replace("$__rate_interval", "1m"));
            }
        }
        return exprs;
    }

    @Test
    void theDashboardUsesOnlyProvisionedDataSourcesAndBothAnnotationSources() throws Exception {
        JsonNode dashboard = dashboard();
        assertEquals("Rollouts", dashboard.path("title").asText());
        String provisioned = Files.readString(DATASOURCES);
        for (JsonNode panel : dashboard.path("panels")) {
            String uid = panel.path("datasource").path("uid").asText();
            assertTrue(provisioned.contains("uid: " + uid), "panel " + panel.path("title") + " uses " + uid);
        }
        List<String> sources = new ArrayList<>();
        dashboard.path("annotations").path("list").forEach(a -> sources.add(a.path("datasource").path("uid").asText()));
        assertTrue(sources.contains("-- Grafana --"), "annotations pushed through Grafana's API, by tag");
        assertTrue(sources.contains("rollout-postgres") && provisioned.contains("uid: rollout-postgres"),
                "annotations read from PostgreSQL");
        assertFalse(promqlExpressions().isEmpty());
    }

    @Test
    void theSqlAnnotationQueryReadsTheHistoryThroughTheView() throws Exception {
        String id = Api.startManualRollout("PT0S");
        Api.advance(id).then().statusCode(200);
        JsonNode sqlSource = null;
        for (JsonNode a : dashboard().path("annotations").path("list")) {
            if (a.path("datasource").path("uid").asText().equals("rollout-postgres")) {
                sqlSource = a;
            }
        }
        // Grafana's macros, expanded the way Grafana does: epoch seconds of the dashboard's range.
        long now = Instant.now().getEpochSecond();
        String sql = sqlSource.path("target").path("rawSql").asText()
                .replace("$__unixEpochFrom()", Long.toString(now - 3600))
                .replace("$__unixEpochTo()", Long.toString(now + 3600));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(sql).getResultList());
        List<Object[]> ours = rows.stream().filter(r -> ((String) r[3]).contains("rollout:" + id)).toList();
        assertEquals(2, ours.size(), "started and step");
        Object[] step = ours.get(1);
        assertEquals(4, step.length);
        assertEquals(step[0], step[1], "an instant: timeEnd = time");
        assertTrue(((Number) step[0]).longValue() > 1_000_000_000_000L, "epoch milliseconds");
        assertTrue(((String) step[2]).contains("stepped from 0 % to 5 % by bootstrap-admin"), (String) step[2]);
        assertTrue(((String) step[3]).startsWith("rollout,plan:"), (String) step[3]);
        assertTrue(((String) step[3]).contains(",action:step,"), (String) step[3]);
    }

    @Test
    void theFreezeSqlAnnotationQueryReadsTheAuditLogThroughTheView() throws Exception {
        String name = Api.unique("dashboard-freeze");
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", name, "from", now.plusSeconds(600).toString(), "until",
                        now.plusSeconds(1200).toString(), "targets", List.of(Api.unique("dashboard-frozen")),
                        "reason", "dashboard check"))
                .post("/api/v1/freezes").then().statusCode(201);
        JsonNode sqlSource = null;
        for (JsonNode a : dashboard().path("annotations").path("list")) {
            if (a.path("target").path("rawSql").asText().contains("audit_annotation")) {
                sqlSource = a;
            }
        }
        String sql = sqlSource.path("target").path("rawSql").asText()
                .replace("$__unixEpochFrom()", Long.toString(now.getEpochSecond() - 3600))
                .replace("$__unixEpochTo()", Long.toString(now.getEpochSecond() + 3600));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(sql).getResultList());
        List<Object[]> ours = rows.stream().filter(r -> ((String) r[3]).contains("freeze:" + name)).toList();
        assertEquals(1, ours.size());
        assertEquals(now.plusSeconds(600).toEpochMilli(), ((Number) ours.get(0)[0]).longValue(), "a region from its start");
        assertEquals(now.plusSeconds(1200).toEpochMilli(), ((Number) ours.get(0)[1]).longValue(), "to its end");
        assertTrue(((String) ours.get(0)[2]).startsWith("freeze " + name + " on "), (String) ours.get(0)[2]);
        io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("reason", "done")).delete("/api/v1/freezes/" + name).then().statusCode(204);
    }
}
