package dev.rollout.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL that a test stops and starts again on the same data directory and port, as an outage or a
 * restart. It owns its data directory: made empty when it is created, deleted when it is closed.
 *
 * <p>Stopping waits until the old server has really exited. The embedded library's own stop gives up
 * after 5 s (a fast shutdown on a loaded machine can take longer) and leaves the server running, and a
 * server started over it meets the old one's lock file, exits, and nothing ever listens on the port.
 */
public final class RestartablePostgres implements AutoCloseable {

    /** How long a start may take: a loaded 2-core machine has taken more than the library's 10 s. */
    public static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(120);

    private final Path dataDirectory;
    private final int port;
    private final Map<String, String> serverConfig;
    private EmbeddedPostgres server;

    private RestartablePostgres(Path dataDirectory, int port, Map<String, String> serverConfig) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.serverConfig = Map.copyOf(serverConfig);
    }

    /** Empties {@code dataDirectory} and starts a new server there on {@code port}. */
    public static RestartablePostgres start(Path dataDirectory, int port, Map<String, String> serverConfig)
            throws IOException {
        deleteRecursively(dataDirectory);
        Files.createDirectories(dataDirectory.getParent());
        RestartablePostgres postgres = new RestartablePostgres(dataDirectory, port, serverConfig);
        postgres.start();
        return postgres;
    }

    public int port() {
        return port;
    }

    /** Starts the server again on the same data and port; it must be stopped. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is already running");
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false).setPort(port).setPGStartupWait(STARTUP_WAIT);
        serverConfig.forEach(builder::setServerConfig);
        server = builder.start();
    }

    /** Fast shutdown (sessions are cut), returning once the server process has exited. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL on port " + port + " did not stop", e);
        } finally {
            server = null;
        }
        // The server deletes its lock file as the last thing it does before it exits.
        Path lockFile = dataDirectory.resolve("postmaster.pid");
        try {
            Awaitility.await("PostgreSQL on port " + port + " has exited").atMost(SHUTDOWN_WAIT)
                    .pollInterval(Duration.ofMillis(100)).until(() -> !Files.exists(lockFile));
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("PostgreSQL on port " + port + " still runs " + SHUTDOWN_WAIT
                    + " after it was told to stop (" + lockFile + " is still there)", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        stop();
        deleteRecursively(dataDirectory);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
