package dev.rollout.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A fresh, real PostgreSQL database for a test: on the machine's server at 127.0.0.1:5432 when it is
 * reachable (TEST_PG_HOST/PORT/USER/PASSWORD override), else on an embedded PostgreSQL started once per JVM.
 */
public final class TestDatabase {

    public record Location(String jdbcUrl, String user, String password) {
    }

    private static EmbeddedPostgres embedded;
    /** The maintenance database of the server the last fresh database was made on. */
    private static Location server;
    private static final java.util.List<String> CREATED = new java.util.ArrayList<>();

    private TestDatabase() {}

    /**
     * Creates an empty database named {@code name} plus this JVM's pid, so that test runs of several
     * checkouts on one server never collide; it is dropped when the JVM exits.
     */
    public static synchronized Location fresh(String baseName) {
        String name = baseName + "_" + ProcessHandle.current().pid();
        String host = env("TEST_PG_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("TEST_PG_PORT", "5432"));
        String user = env("TEST_PG_USER", "postgres");
        String password = env("TEST_PG_PASSWORD", "");
        if (!reachable(host, port)) {
            if (embedded == null) {
                try {
                    embedded = EmbeddedPostgres.builder().start();
                } catch (IOException e) {
                    throw new IllegalStateException("no PostgreSQL at " + host + ":" + port
                            + " and the embedded one did not start", e);
                }
            }
            host = "127.0.0.1";
            port = embedded.getPort();
            user = "postgres";
            password = "";
        }
        server = new Location("jdbc:postgresql://" + host + ":" + port + "/postgres", user, password);
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name);
        if (CREATED.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropAll, "drop-test-databases"));
        }
        CREATED.add(name);
        return new Location("jdbc:postgresql://" + host + ":" + port + "/" + name, user, password);
    }

    private static synchronized void dropAll() {
        for (String name : CREATED) {
            try {
                execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (RuntimeException e) {
                // best effort while the JVM exits; a leftover has a pid in its name and collides with nothing
            }
        }
    }

    private static void execute(String... statements) {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test database setup failed at " + server.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
