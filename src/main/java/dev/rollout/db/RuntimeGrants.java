package dev.rollout.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the role the service runs as may do with each relation of its schema, when the tables belong to another
 * role (least privilege; no I/O here). Applied by the owner after every migration ({@link OwnerMigrations}),
 * to every relation that exists then, so tables that later migrations add are covered without a new grant:
 *
 * <ul>
 * <li>an ordinary table: SELECT, INSERT, UPDATE, DELETE (never TRUNCATE, REFERENCES or TRIGGER);</li>
 * <li>an append-only table ({@link #APPEND_ONLY}): SELECT and INSERT only;</li>
 * <li>a view: SELECT; a sequence: USAGE and SELECT (for {@code bigserial} keys);</li>
 * <li>Flyway's own history table: nothing.</li>
 * </ul>
 *
 * Every relation's grants are first revoked, so a grant made by hand is taken back at the next start. No role
 * but the owner can ALTER, DROP or disable a trigger of a table: that needs ownership, never a grant.
 */
public final class RuntimeGrants {

    /**
     * Tables whose rows are never updated or deleted by the service: the history, and the audit log (added by a
     * later migration; a name that does not exist yet is simply skipped). A new append-only table goes here.
     */
    public static final Set<String> APPEND_ONLY = Set.of("deployment_state", "audit_log");

    private RuntimeGrants() {
    }

    public enum Kind {
        TABLE, VIEW, SEQUENCE
    }

    /** One relation of the schema, as the catalog names it. */
    public record Relation(String name, Kind kind) {
    }

    /** {@code pg_class.relkind} as a {@link Kind}; empty for kinds that get no grant (indexes, types, ...). */
    public static Optional<Kind> kind(String relkind) {
        switch (relkind) {
            case "r", "p":
                return Optional.of(Kind.TABLE);
            case "v", "m":
                return Optional.of(Kind.VIEW);
            case "S":
                return Optional.of(Kind.SEQUENCE);
            default:
                return Optional.empty();
        }
    }

    /** The privileges {@code relation} gets; empty: none at all. */
    public static List<String> privileges(Relation relation, String migrationsTable) {
        if (relation.name().equals(migrationsTable)) {
            return List.of();
        }
        switch (relation.kind()) {
            case VIEW:
                return List.of("SELECT");
            case SEQUENCE:
                return List.of("USAGE", "SELECT");
            default:
                return APPEND_ONLY.contains(relation.name()) ? List.of("SELECT", "INSERT")
                        : List.of("SELECT", "INSERT", "UPDATE", "DELETE");
        }
    }

    /** The statements that give {@code runtimeRole} exactly its privileges on the relations of {@code schema}. */
    public static List<String> statements(String schema, String runtimeRole, List<Relation> relations,
            String migrationsTable) {
        String role = identifier(runtimeRole);
        List<String> sql = new ArrayList<>();
        sql.add("GRANT USAGE ON SCHEMA " + identifier(schema) + " TO " + role);
        for (Relation relation : relations) {
            String object = (relation.kind() == Kind.SEQUENCE ? "SEQUENCE " : "TABLE ") + identifier(schema) + "."
                    + identifier(relation.name());
            sql.add("REVOKE ALL ON " + object + " FROM " + role);
            List<String> privileges = privileges(relation, migrationsTable);
            if (!privileges.isEmpty()) {
                sql.add("GRANT " + String.join(", ", privileges) + " ON " + object + " TO " + role);
            }
        }
        return sql;
    }

    /** A quoted SQL identifier: any name, spelt exactly, can never end the statement early. */
    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
