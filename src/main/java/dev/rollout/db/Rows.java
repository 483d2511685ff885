package dev.rollout.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Column values of native query results, for the repositories' row mappers. The JDBC driver and
 * Hibernate hand a {@code timestamptz} back as {@link Instant}, {@link OffsetDateTime} or
 * {@link Timestamp} depending on the query; every mapper reads it here.
 */
public final class Rows {

    private Rows() {
    }

    /** A {@code timestamptz} column; {@code null} stays {@code null}. */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + value.getClass());
    }
}
