package dev.rollout.history;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.startManualRollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

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
        for (String sql : new String[] {
                "update deployment_state set to_percentage = 100 where rollout_id = '" + id + "'",
                "delete from deployment_state where rollout_id = '" + id + "'",
                "truncate deployment_state",
                "delete from rollout where id = '" + id + "'" }) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                SQLException refused = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertTrue(refused.getMessage().contains("append-only") || refused.getMessage().contains("foreign key"),
                        refused.getMessage());
            }
        }
        assertEquals(2, Api.history(id).size());
    }
}
