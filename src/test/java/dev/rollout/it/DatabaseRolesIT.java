package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.TestDatabase;

/**
 * Database least privilege: with ROLLOUT_DB_OWNER_USER / ROLLOUT_DB_OWNER_PASSWORD the migrations run as the
 * owner, and the service runs as ROLLOUT_DB_USER with only the grants it needs. The service works as usual,
 * and the runtime role itself (what a stolen database password of the service gives) cannot rewrite the
 * history: no UPDATE, DELETE or TRUNCATE of deployment_state, no disabling of its trigger, no ALTER or DROP.
 */
class DatabaseRolesIT {

    private final List<AppProcess> apps = new ArrayList<>();

    @AfterEach
    void stopAll() {
        apps.forEach(AppProcess::close);
    }

    @Test
    void theServiceRunsAsARuntimeRoleThatCannotRewriteTheHistory() throws Exception {
        TestDatabase.SplitRoles roles;
        try {
            roles = TestDatabase.freshWithRoles("rollout_it_roles");
        } catch (TestDatabase.RolesUnavailable e) {
            Assumptions.abort("skipped: " + e.getMessage());
            return;
        }
        Map<String, String> env = AppProcess.databaseEnv(roles.runtime().jdbcUrl(), roles.runtime().user(),
                roles.runtime().password());
        env.put("ROLLOUT_DB_OWNER_USER", roles.owner().user());
        env.put("ROLLOUT_DB_OWNER_PASSWORD", roles.owner().password());
        env.put("ROLLOUT_EVALUATION_INTERVAL", "1s");
        AppProcess app = AppProcess.start("db-roles", env);
        apps.add(app);

        // The service works: a plan, a rollout started and advanced, history appended, rows updated.
        String plan = "roles-plan";
        AppProcess.Reply created = app.post("/api/v1/plans", Map.of("name", plan, "mode", "MANUAL",
                "onViolation", "PAUSE", "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"),
                        Map.of("percentage", 100, "minDwell", "PT0S"))));
        assertEquals(201, created.status(), created::toString);
        AppProcess.Reply started = app.post("/api/v1/rollouts",
                Map.of("plan", plan, "target", "roles-target", "version", "v1"));
        assertEquals(201, started.status(), started::toString);
        String id = started.json().path("id").asText();
        AppProcess.Reply advanced = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals(200, advanced.status(), advanced::toString);
        assertEquals(50.0, advanced.json().path("currentPercentage").asDouble());
        AppProcess.Reply refused = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals("too-early", refused.problemType(), refused::toString);
        AppProcess.Reply paused = app.post("/api/v1/rollouts/" + id + "/pause", Map.of("reason", "least privilege"));
        assertEquals(200, paused.status(), paused::toString);
        JsonNode history = app.get("/api/v1/rollouts/" + id + "/history").json();
        List<String> actions = new ArrayList<>();
        history.forEach(e -> actions.add(e.path("action").asText()));
        assertEquals(List.of("started", "step", "advance_refused", "paused"), actions);
        AppProcess.Reply token = app.post("/api/v1/tokens", Map.of("name", "roles-viewer", "role", "viewer"));
        assertEquals(201, token.status(), token::toString);
        assertEquals(204, app.delete("/api/v1/tokens/roles-viewer").status());
        // Freezes are set, hold a start, and are lifted as the runtime role (freeze_window, audit_log).
        java.time.Instant now = java.time.Instant.now();
        AppProcess.Reply frozen = app.post("/api/v1/freezes", Map.of("name", "roles-freeze", "from",
                now.minusSeconds(60).toString(), "until", now.plusSeconds(3600).toString(), "targets",
                List.of("roles-frozen"), "reason", "least privilege"));
        assertEquals(201, frozen.status(), frozen::toString);
        AppProcess.Reply held = app.post("/api/v1/rollouts", Map.of("plan", plan, "target", "roles-frozen",
                "version", "v1"));
        assertEquals("frozen", held.problemType(), held::toString);
        assertEquals(204, app.delete("/api/v1/freezes/roles-freeze", Map.of("reason", "least privilege")).status());
        // The watch (heartbeats, gate results) keeps running as the runtime role without errors.
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                !app.logText().contains("permission denied"));

        // The tables belong to the owner, not to the role the service runs as.
        try (Connection owner = connect(roles.owner()); Statement s = owner.createStatement();
                ResultSet r = s.executeQuery("select tableowner from pg_tables where tablename = 'deployment_state'")) {
            assertTrue(r.next());
            assertEquals(roles.owner().user(), r.getString(1));
        }

        try (Connection runtime = connect(roles.runtime()); Statement s = runtime.createStatement()) {
            // What the service needs still works.
            try (ResultSet r = s.executeQuery("select count(*) from deployment_state")) {
                assertTrue(r.next());
                assertEquals(4, r.getInt(1));
            }
            // The database refuses by privilege, before the append-only trigger is even reached.
            refused(s, "update deployment_state set reason = 'rewritten'", "permission denied");
            refused(s, "delete from deployment_state", "permission denied");
            refused(s, "truncate deployment_state", "permission denied");
            refused(s, "alter table deployment_state disable trigger deployment_state_no_update_or_delete",
                    "must be owner");
            refused(s, "alter table deployment_state disable trigger all", "must be owner");
            refused(s, "drop trigger deployment_state_no_truncate on deployment_state", "must be owner");
            refused(s, "create trigger sneak before insert on deployment_state for each row "
                    + "execute function deployment_state_is_append_only()", "permission denied");
            refused(s, "alter table deployment_state add column note text", "must be owner");
            refused(s, "alter table rollout drop column row_version", "must be owner");
            refused(s, "drop table deployment_state cascade", "must be owner");
            refused(s, "drop table rollout cascade", "must be owner");
            refused(s, "truncate rollout cascade", "permission denied");
            refused(s, "delete from flyway_schema_history", "permission denied");
        }

        // Nothing above changed the history.
        assertEquals(4, app.get("/api/v1/rollouts/" + id + "/history").json().size());
    }

    private static void refused(Statement s, String sql, String expected) {
        try {
            s.execute(sql);
            fail("the runtime role was allowed to: " + sql);
        } catch (SQLException e) {
            assertTrue(e.getMessage().contains(expected), sql + " was refused, but not by privilege: " + e.getMessage());
        }
    }

    private static Connection connect(TestDatabase.Location db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }
}
