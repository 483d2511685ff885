package dev.rollout.db;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

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
}
