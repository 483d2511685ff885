package dev.rollout.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.rollout.db.RuntimeGrants.Kind;
import dev.rollout.db.RuntimeGrants.Relation;

/** The runtime role's privileges, and the owner settings, decided with no database. */
class RuntimeGrantsTest {

    private static final String FLYWAY = "flyway_schema_history";

    @Test
    void appendOnlyTablesGetSelectAndInsertOnly() {
        assertEquals(List.of("SELECT", "INSERT"), RuntimeGrants.privileges(new Relation("deployment_state", Kind.TABLE), FLYWAY));
        assertEquals(List.of("SELECT", "INSERT"), RuntimeGrants.privileges(new Relation("audit_log", Kind.TABLE), FLYWAY));
    }

    @Test
    void otherTablesGetRowChangesButNeverTruncateReferencesOrTrigger() {
        List<String> privileges = RuntimeGrants.privileges(new Relation("a_table_added_later", Kind.TABLE), FLYWAY);
        assertEquals(List.of("SELECT", "INSERT", "UPDATE", "DELETE"), privileges);
        assertEquals(List.of("SELECT"), RuntimeGrants.privileges(new Relation("rollout_annotation", Kind.VIEW), FLYWAY));
        assertEquals(List.of("USAGE", "SELECT"), RuntimeGrants.privileges(new Relation("plan_id_seq", Kind.SEQUENCE), FLYWAY));
        assertEquals(List.of(), RuntimeGrants.privileges(new Relation(FLYWAY, Kind.TABLE), FLYWAY));
    }

    @Test
    void everyRelationIsRevokedFirstAndNamesAreQuoted() {
        List<String> sql = RuntimeGrants.statements("public", "rollout\"app", List.of(
                new Relation("deployment_state", Kind.TABLE), new Relation(FLYWAY, Kind.TABLE),
                new Relation("deployment_state_seq_seq", Kind.SEQUENCE)), FLYWAY);
        assertEquals(List.of(
                "GRANT USAGE ON SCHEMA \"public\" TO \"rollout\"\"app\"",
                "REVOKE ALL ON TABLE \"public\".\"deployment_state\" FROM \"rollout\"\"app\"",
                "GRANT SELECT, INSERT ON TABLE \"public\".\"deployment_state\" TO \"rollout\"\"app\"",
                "REVOKE ALL ON TABLE \"public\".\"flyway_schema_history\" FROM \"rollout\"\"app\"",
                "REVOKE ALL ON SEQUENCE \"public\".\"deployment_state_seq_seq\" FROM \"rollout\"\"app\"",
                "GRANT USAGE, SELECT ON SEQUENCE \"public\".\"deployment_state_seq_seq\" TO \"rollout\"\"app\""), sql);
    }

    @Test
    void catalogKinds() {
        assertEquals(Optional.of(Kind.TABLE), RuntimeGrants.kind("r"));
        assertEquals(Optional.of(Kind.TABLE), RuntimeGrants.kind("p"));
        assertEquals(Optional.of(Kind.VIEW), RuntimeGrants.kind("v"));
        assertEquals(Optional.of(Kind.SEQUENCE), RuntimeGrants.kind("S"));
        assertEquals(Optional.empty(), RuntimeGrants.kind("i"));
    }

    @Test
    void ownerSettingsAreBothOrNeitherAndNeverTheRuntimeRole() {
        assertFalse(OwnerMigrations.split(config(null, null), "app"));
        assertTrue(OwnerMigrations.split(config("owner", "secret"), "app"));
        IllegalStateException half = assertThrows(IllegalStateException.class,
                () -> OwnerMigrations.split(config("owner", null), "app"));
        assertTrue(half.getMessage().contains("ROLLOUT_DB_OWNER_PASSWORD"));
        assertThrows(IllegalStateException.class, () -> OwnerMigrations.split(config(null, "secret"), "app"));
        IllegalStateException same = assertThrows(IllegalStateException.class,
                () -> OwnerMigrations.split(config("app", "secret-value"), "app"));
        assertFalse(same.getMessage().contains("secret-value"), "never the password");
    }

    private static DatabaseConfig config(String owner, String password) {
        return new DatabaseConfig() {
            @Override
            public Optional<String> url() {
                return Optional.empty();
            }

            @Override
            public Optional<String> user() {
                return Optional.of("app");
            }

            @Override
            public Optional<String> password() {
                return Optional.empty();
            }

            @Override
            public Optional<String> ownerUser() {
                return Optional.ofNullable(owner);
            }

            @Override
            public Optional<String> ownerPassword() {
                return Optional.ofNullable(password);
            }

            @Override
            public ReadPoolConfig readPool() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
