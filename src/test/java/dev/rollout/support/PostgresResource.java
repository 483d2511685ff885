package dev.rollout.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the application under test at a fresh real PostgreSQL database. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_test");
        return Map.of("rollout.db.url", db.jdbcUrl(), "rollout.db.user", db.user(),
                "rollout.db.password", db.password());
    }

    @Override
    public void stop() {
        // dropped when the JVM exits
    }
}
