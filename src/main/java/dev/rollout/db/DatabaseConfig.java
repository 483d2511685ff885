package dev.rollout.db;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The database the service uses ({@code ROLLOUT_DB_URL}, {@code ROLLOUT_DB_USER}, {@code ROLLOUT_DB_PASSWORD}) and,
 * for least privilege, the role that owns its tables ({@code ROLLOUT_DB_OWNER_USER},
 * {@code ROLLOUT_DB_OWNER_PASSWORD}). The datasource and Flyway read these through application.properties,
 * where the one default (user {@code postgres}) is declared; this mapping is what the code reads.
 */
@ConfigMapping(prefix = "rollout.db")
public interface DatabaseConfig {

    /** JDBC URL; none: the local build starts an embedded database and sets it. */
    Optional<String> url();

    /** The role the service runs as. */
    Optional<String> user();

    Optional<String> password();

    /** The role that owns the tables and runs the migrations; none: the service's own role does (one role). */
    Optional<String> ownerUser();

    Optional<String> ownerPassword();

    /** The read pool ({@link ReadPool}): connections of its own, beside the JDBC pool. */
    ReadPoolConfig readPool();

    /**
     * ROLLOUT_DB_READ_POOL_MAX_SIZE, _MAX_WAITING, _ACQUISITION_TIMEOUT: the read pool's connections (on top of
     * the JDBC pool's), how many reads may wait for one (beyond that a read is refused at once: 503), and how
     * long one waits (then 503).
     */
    interface ReadPoolConfig {

        @WithDefault("4")
        int maxSize();

        @WithDefault("512")
        int maxWaiting();

        @WithDefault("5s")
        Duration acquisitionTimeout();
    }
}
