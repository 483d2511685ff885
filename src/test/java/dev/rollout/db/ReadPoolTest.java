package dev.rollout.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.ClosedConnectionException;

/** The read pool connects where the JDBC URL says, with its TLS rules, and fails as JDBC does. */
class ReadPoolTest {

    @Test
    void itConnectsWhereTheJdbcUrlSaysAsTheDatasourcesRole() {
        PgConnectOptions options = ReadPool.connectOptions("jdbc:postgresql://db.example:6543/rollout", "app", "pw");
        assertEquals("db.example", options.getHost());
        assertEquals(6543, options.getPort());
        assertEquals("rollout", options.getDatabase());
        assertEquals("app", options.getUser());
        assertEquals("pw", options.getPassword());
        assertEquals(SslMode.PREFER, options.getSslMode(), "pgjdbc's default");
        assertEquals(5432, ReadPool.connectOptions("jdbc:postgresql://h/d", "u", "").getPort());
    }

    @Test
    void sslModesMeanWhatTheyMeanToPgjdbc() {
        PgConnectOptions require = ReadPool.connectOptions("jdbc:postgresql://postgres:5432/rollout?sslmode=require",
                "u", "p");
        assertEquals(SslMode.REQUIRE, require.getSslMode());
        assertTrue(require.isTrustAll(), "require encrypts without verifying, as pgjdbc does");
        PgConnectOptions disable = ReadPool.connectOptions("jdbc:postgresql://h/d?sslmode=disable", "u", "p");
        assertEquals(SslMode.DISABLE, disable.getSslMode());
        PgConnectOptions full = ReadPool.connectOptions(
                "jdbc:postgresql://h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem", "u", "p");
        assertEquals(SslMode.VERIFY_FULL, full.getSslMode());
        assertFalse(full.isTrustAll());
        assertEquals("HTTPS", full.getHostnameVerificationAlgorithm());
        assertThrows(IllegalStateException.class,
                () -> ReadPool.connectOptions("jdbc:postgresql://h/d?sslmode=sometimes", "u", "p"));
    }

    @Test
    void anUnreachableDatabaseFailsAsAnUnreachableJdbcOneDoes() {
        assertTrue(ReadPool.failure(ClosedConnectionException.INSTANCE).getCause()
                instanceof SQLTransientConnectionException);
        assertTrue(ReadPool.failure(new java.net.ConnectException("refused")).getCause()
                instanceof SQLTransientConnectionException);
        assertTrue(ReadPool.failure(new io.vertx.core.VertxException("Timeout waiting for connection")).getCause()
                instanceof SQLTransientConnectionException, "the pool's wait ran out while the database was down");
        Throwable shutdown = ReadPool.failure(new PgException("terminating connection", "FATAL", "57P01", null))
                .getCause();
        assertEquals("57P01", ((java.sql.SQLException) shutdown).getSQLState());
        assertFalse(ReadPool.failure(new IllegalArgumentException("bug")).getCause()
                instanceof java.sql.SQLException, "a bug is not an outage");
    }
}
