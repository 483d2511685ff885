package dev.rollout.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * The one home of the non-blocking PostgreSQL client: a small pool of its own for reads that answer a request
 * on the event loop (no worker thread, no blocking stream). It connects where the JDBC datasource does, as the
 * same role: its settings are derived from {@code quarkus.datasource.jdbc.url} (host, port, database,
 * {@code sslmode}, {@code sslrootcert}, as pgjdbc reads them), so every way the service is configured (the
 * embedded database, {@code ROLLOUT_DB_URL}, the tests' databases, the deploy manifests) configures it too.
 *
 * <p>It is separate from the JDBC pool, so reads on it never take the connections kept for the watch
 * ({@code ConnectionReserve}), and bounded: at most {@code rollout.db.read-pool.max-size} connections, at most
 * {@code max-waiting} reads waiting for one, each for at most {@code acquisition-timeout}; a read refused by
 * those bounds, or by an unreachable database, fails as an unreachable JDBC database does (503). Connections
 * that the server closed (a restart) leave the pool; the next read opens a new one.
 */
@ApplicationScoped
public class ReadPool {

    private final Pool pool;

    public ReadPool(Vertx vertx, DatabaseConfig config,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        DatabaseConfig.ReadPoolConfig limits = config.readPool();
        if (limits.maxSize() < 1 || limits.maxWaiting() < 0) {
            throw new IllegalStateException("rollout.db.read-pool: max-size must be at least 1 and max-waiting at"
                    + " least 0");
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, limits.acquisitionTimeout().toMillis());
        PgConnectOptions connect = connectOptions(jdbcUrl, user.orElse(null), password.orElse(""));
        connect.setConnectTimeout(timeoutMillis);
        // A connection on which nothing moves for this long is closed, failing a read stuck on it (an answer
        // to a primary-key read never takes that long), as socketTimeout does for the JDBC pool.
        connect.setIdleTimeout(30);
        PoolOptions options = new PoolOptions().setName("rollout-read").setMaxSize(limits.maxSize())
                .setMaxWaitQueueSize(limits.maxWaiting()).setConnectionTimeout(timeoutMillis)
                .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
        this.pool = PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    }

    /** Runs one prepared statement; the answer arrives on the caller's Vert.x context (its event loop). */
    public Uni<RowSet<Row>> query(String sql, Tuple arguments) {
        return Uni.createFrom().emitter(emitter -> pool.preparedQuery(sql).execute(arguments).onComplete(done -> {
            if (done.succeeded()) {
                emitter.complete(done.result());
            } else {
                emitter.fail(failure(done.cause()));
            }
        }));
    }

    /**
     * The client's failures as JDBC's: the server's errors with their SQLSTATE, the pool's refusals and
     * connection failures as a transient connection failure (class 08), which the API answers 503.
     */
    static RuntimeException failure(Throwable cause) {
        SQLException sql;
        if (cause instanceof PgException pg) {
            sql = new SQLException(pg.getErrorMessage(), pg.getSqlState(), cause);
        } else if (cause instanceof ClosedConnectionException || cause instanceof IOException
                || cause.getClass().getSimpleName().contains("Timeout")
                || cause.getClass().getSimpleName().contains("TooBusy")
                // The pool's wait for a connection running out is a plain VertxException with this message.
                || (cause instanceof io.vertx.core.VertxException
                        && String.valueOf(cause.getMessage()).startsWith("Timeout waiting for connection"))) {
            sql = new SQLTransientConnectionException("read pool: " + cause.getMessage(), "08006", cause);
        } else {
            return new PersistenceException("read pool: " + cause.getMessage(), cause);
        }
        return new PersistenceException(sql.getMessage(), sql);
    }

    /** The JDBC URL's server, database and TLS settings, read with pgjdbc's own parser. */
    static PgConnectOptions connectOptions(String jdbcUrl, String user, String password) {
        Properties url = org.postgresql.Driver.parseURL(jdbcUrl, new Properties());
        if (url == null) {
            throw new IllegalStateException("quarkus.datasource.jdbc.url: not a PostgreSQL JDBC URL");
        }
        // A URL naming several hosts (failover) gives the read pool its first; the JDBC pool fails over alone.
        String host = url.getProperty("PGHOST", "localhost").split(",")[0];
        String port = url.getProperty("PGPORT", "5432").split(",")[0];
        PgConnectOptions options = new PgConnectOptions().setHost(host).setPort(Integer.parseInt(port))
                .setDatabase(url.getProperty("PGDBNAME", "")).setUser(url.getProperty("user", user))
                .setPassword(url.getProperty("password", password))
                .setProperties(Map.of("application_name", "rollout-controller-read"));
        // pgjdbc's default is prefer; allow, prefer and require encrypt without verifying the certificate (as
        // pgjdbc does), verify-ca and verify-full check it against sslrootcert (pgjdbc's default file if unset).
        String sslMode = url.getProperty("sslmode", "prefer").toLowerCase(Locale.ROOT);
        switch (sslMode) {
            case "disable" -> options.setSslMode(SslMode.DISABLE);
            case "allow", "prefer", "require" -> {
                options.setSslMode(SslMode.of(sslMode));
                options.setTrustAll(true);
            }
            case "verify-ca", "verify-full" -> {
                options.setSslMode(SslMode.of(sslMode));
                String rootCert = url.getProperty("sslrootcert", Path.of(System.getProperty("user.home"),
                        ".postgresql", "root.crt").toString());
                options.setPemTrustOptions(new PemTrustOptions().addCertPath(rootCert));
                if (sslMode.equals("verify-full")) {
                    options.setHostnameVerificationAlgorithm("HTTPS");
                }
            }
            default -> throw new IllegalStateException("quarkus.datasource.jdbc.url: sslmode '" + sslMode
                    + "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
        }
        return options;
    }

    @PreDestroy
    void close() {
        pool.close();
    }
}
