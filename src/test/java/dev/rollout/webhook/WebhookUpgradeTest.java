package dev.rollout.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.rollout.support.TestDatabase;

/**
 * Migration V10 on a database that holds a plan naming a webhook URL (the shape before endpoints), a rollout
 * of it and a call still queued: the URL is neither called nor shown afterwards, and nothing is lost for the
 * administrator.
 */
class WebhookUpgradeTest {

    private static final String URL = "http://169.254.169.254/latest/meta-data/";

    @Test
    void plansThatNamedAUrlKeepItOnlyWhereTheServiceNeverReadsIt() throws SQLException {
        TestDatabase.Location db = TestDatabase.fresh("rollout_upgrade_v10");
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("filesystem:db")
                .target("9").load().migrate();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            s.execute("""
                    insert into plan (id, name, version, mode, on_violation, steps, created_at, created_by, webhook)
                    values (1, 'legacy', 1, 'MANUAL', 'PAUSE', '[{"percentage": 100.0, "minDwell": "PT0S"}]', now(),
                            'ops', '{"url": "%s", "secretRef": "flags"}'),
                           (2, 'plain', 1, 'MANUAL', 'PAUSE', '[{"percentage": 100.0, "minDwell": "PT0S"}]', now(),
                            'ops', null)""".formatted(URL));
            s.execute("""
                    insert into rollout (id, plan_id, target, version, state, step_index, step_count,
                                         current_percentage, step_entered_at, dwell_started_at, earliest_advance_at,
                                         started_at, updated_at)
                    values ('00000000-0000-0000-0000-000000000001', 1, 'svc', 'v1', 'PROGRESSING', 0, 1, 100, now(),
                            now(), now(), now(), now())""");
            s.execute("""
                    insert into deployment_state (seq, rollout_id, at, action, from_percentage, to_percentage, actor)
                    values (1, '00000000-0000-0000-0000-000000000001', now(), 'step', 0, 100, 'ops')""");
            s.execute("""
                    insert into event_outbox (event_seq, rollout_id, channel, payload, next_attempt_at, created_at)
                    values (1, '00000000-0000-0000-0000-000000000001', 'webhook',
                            '{"url": "%s", "secretRef": "flags", "body": "{}"}', now(), now())""".formatted(URL));

            Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("filesystem:db")
                    .load().migrate();

            assertEquals("{\"urlRetired\": true}", text(s, "select webhook from plan where id = 1"));
            assertTrue(text(s, "select retired_webhook from plan where id = 1").contains(URL),
                    "the administrator can still see which URL the plan named");
            assertEquals(null, text(s, "select webhook from plan where id = 2"));
            String payload = text(s, "select payload from event_outbox where event_seq = 1");
            assertFalse(payload.contains(URL), payload);
            assertFalse(payload.contains("secretRef"), payload);
            assertTrue(payload.contains("\"urlRetired\": true") && payload.contains("\"body\""), payload);
            // A queued call can now be given up.
            s.execute("update event_outbox set state = 'GIVEN_UP' where event_seq = 1");
        }
    }

    private static String text(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
