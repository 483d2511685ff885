package dev.rollout.history;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.startManualRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;

/** The database itself, not only the code, refuses to rewrite the history. */
@QuarkusTest
class HistoryAppendOnlyTest {

    @Inject
    DataSource dataSource;

    @Test
    void updatesDeletesAndTruncatesAreRefusedByTheDatabase() throws SQLException {
        String id = startManualRollout("PT1H");
        advance(id).then().statusCode(200);
        // Each statement must reach the history's own trigger: a plain "truncate deployment_state" would be
        // stopped by the outbox's foreign key first and prove nothing about the append-only rule, so the
        // truncates cascade (foreign keys then do not object) and only the trigger stands in the way.
        Map<String, String> refusedBy = new LinkedHashMap<>();
        refusedBy.put("update deployment_state set to_percentage = 100 where rollout_id = '" + id + "'",
                "deployment_state is append-only: UPDATE is not allowed");
        refusedBy.put("delete from deployment_state where rollout_id = '" + id + "'",
                "deployment_state is append-only: DELETE is not allowed");
        refusedBy.put("truncate deployment_state cascade", "deployment_state is append-only: TRUNCATE is not allowed");
        for (Map.Entry<String, String> statement : refusedBy.entrySet()) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                SQLException refused = assertThrows(SQLException.class, () -> s.execute(statement.getKey()),
                        statement.getKey());
                assertTrue(refused.getMessage().contains(statement.getValue()), statement.getKey() + ": " + refused.getMessage());
            }
        }
        // a rollout with history cannot be deleted from under it either
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> s.execute("delete from rollout where id = '" + id + "'"));
            assertTrue(refused.getMessage().contains("foreign key"), refused.getMessage());
        }
        assertEquals(2, Api.history(id).size());
    }
}
