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
                    embedded = EmbeddedPostgres.builder().setPGStartupWait(RestartablePostgres.STARTUP_WAIT).start();
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
        for (String role : CREATED_ROLES) {
            try {
                execute("DROP ROLE IF EXISTS " + role);
            } catch (RuntimeException e) {
                // best effort, as above
            }
        }
    }

    /** A database whose tables belong to {@code owner}, and a role the service runs as, with no grants yet. */
    public record SplitRoles(Location owner, Location runtime) {
    }

    /** The test role may not create roles: the least-privilege setup cannot be tested on this server. */
    public static final class RolesUnavailable extends Exception {
        RolesUnavailable(String message) {
            super(message);
        }
    }

    private static final java.util.List<String> CREATED_ROLES = new java.util.ArrayList<>();

    /**
     * Creates two login roles ({@code baseName_owner_<pid>}, {@code baseName_runtime_<pid>}) and a fresh database
     * owned by the first, as an operator sets up least privilege; all are dropped when the JVM exits.
     * The test role needs CREATEROLE (deploy/test grants it); without it this throws {@link RolesUnavailable}.
     */
    public static synchronized SplitRoles freshWithRoles(String baseName) throws RolesUnavailable {
        Location admin = fresh(baseName + "_probe");
        String suffix = "_" + ProcessHandle.current().pid();
        String owner = baseName + "_owner" + suffix;
        String runtime = baseName + "_runtime" + suffix;
        String ownerPassword = "o" + java.util.UUID.randomUUID().toString().replace("-", "");
        String runtimePassword = "r" + java.util.UUID.randomUUID().toString().replace("-", "");
        String name = baseName + suffix;
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement s = c.createStatement()) {
            for (String role : java.util.List.of(owner, runtime)) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
            s.execute("CREATE ROLE " + owner + " LOGIN PASSWORD '" + ownerPassword + "'");
            CREATED_ROLES.add(owner);
            s.execute("CREATE ROLE " + runtime + " LOGIN PASSWORD '" + runtimePassword + "'");
            CREATED_ROLES.add(runtime);
            // Creating a database for another owner needs membership in that role.
            if (!server.user().equals("postgres")) {
                s.execute("GRANT " + owner + " TO " + server.user());
            }
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name + " OWNER " + owner);
            CREATED.add(0, name); // dropped before the roles
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new RolesUnavailable("the test role " + server.user() + " may not create roles (" + e.getMessage()
                        + "); deploy/test grants it CREATEROLE");
            }
            throw new IllegalStateException("test role setup failed at " + server.jdbcUrl() + ": " + e.getMessage(), e);
        }
        String url = admin.jdbcUrl().substring(0, admin.jdbcUrl().lastIndexOf('/') + 1) + name;
        return new SplitRoles(new Location(url, owner, ownerPassword), new Location(url, runtime, runtimePassword));
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
