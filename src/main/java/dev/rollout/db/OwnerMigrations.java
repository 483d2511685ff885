package dev.rollout.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.jboss.logging.Logger;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Database least privilege. With {@code ROLLOUT_DB_OWNER_USER} and {@code ROLLOUT_DB_OWNER_PASSWORD} set, Flyway
 * connects as that owner (application.properties points {@code quarkus.flyway.username} at it), and after every
 * migrate, still as the owner and in one transaction, gives the role the service runs as
 * ({@code ROLLOUT_DB_USER}) exactly the privileges {@link RuntimeGrants} lists, on every relation that exists
 * then. Without the owner settings nothing is added: one role owns the tables and runs the service, as before.
 */
@Singleton
public class OwnerMigrations implements FlywayConfigurationCustomizer {

    private static final Logger LOG = Logger.getLogger(OwnerMigrations.class);

    private final DatabaseConfig config;
    private final String runtimeUser;

    public OwnerMigrations(DatabaseConfig config,
            @ConfigProperty(name = "quarkus.datasource.username") String runtimeUser) {
        this.config = config;
        this.runtimeUser = runtimeUser;
    }

    @Override
    public void customize(FluentConfiguration configuration) {
        if (!split(config, runtimeUser)) {
            return;
        }
        List<Callback> callbacks = new ArrayList<>(Arrays.asList(configuration.getCallbacks()));
        callbacks.add(new GrantRuntimeRole(runtimeUser));
        configuration.callbacks(callbacks.toArray(Callback[]::new));
    }

    /**
     * True when an owner is configured; refuses half a configuration (an owner without its password or the
     * other way round) and an owner that is the runtime role itself, naming the settings, never their values.
     */
    static boolean split(DatabaseConfig config, String runtimeUser) {
        boolean user = config.ownerUser().isPresent();
        boolean password = config.ownerPassword().isPresent();
        if (!user && !password) {
            return false;
        }
        if (user != password) {
            throw new IllegalStateException("ROLLOUT_DB_OWNER_USER and ROLLOUT_DB_OWNER_PASSWORD must be set together");
        }
        if (config.ownerUser().get().equals(runtimeUser)) {
            throw new IllegalStateException("ROLLOUT_DB_OWNER_USER must name another role than ROLLOUT_DB_USER: the "
                    + "service must not run as the owner of its tables");
        }
        return true;
    }

    /** Flyway's afterMigrate callback: runs as the owner after every migrate, whether or not anything was new. */
    static final class GrantRuntimeRole implements Callback {

        private final String runtimeRole;

        GrantRuntimeRole(String runtimeRole) {
            this.runtimeRole = runtimeRole;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            Connection connection = context.getConnection();
            String migrationsTable = context.getConfiguration().getTable();
            try {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try (Statement s = connection.createStatement()) {
                    String schema;
                    try (ResultSet r = s.executeQuery("select current_schema()")) {
                        r.next();
                        schema = r.getString(1);
                    }
                    List<RuntimeGrants.Relation> relations = new ArrayList<>();
                    try (ResultSet r = s.executeQuery("select c.relname, c.relkind::text from pg_class c "
                            + "join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() "
                            + "order by c.relname")) {
                        while (r.next()) {
                            String name = r.getString(1);
                            RuntimeGrants.kind(r.getString(2))
                                    .ifPresent(kind -> relations.add(new RuntimeGrants.Relation(name, kind)));
                        }
                    }
                    for (String sql : RuntimeGrants.statements(schema, runtimeRole, relations, migrationsTable)) {
                        s.execute(sql);
                    }
                    if (autoCommit) {
                        connection.commit();
                    }
                    LOG.infof("Granted the runtime role %s its privileges on %d relations of schema %s "
                            + "(append-only: %s)", runtimeRole, relations.size(), schema, RuntimeGrants.APPEND_ONLY);
                } catch (SQLException | RuntimeException e) {
                    if (autoCommit) {
                        connection.rollback();
                    }
                    throw e;
                } finally {
                    if (autoCommit) {
                        connection.setAutoCommit(true);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("granting the runtime role " + runtimeRole
                        + " its privileges failed: " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "grant-runtime-role";
        }
    }
}
