package dev.rollout.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the application under test at a fresh real PostgreSQL database. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        // One database per checkout: test runs of several checkouts on one machine never drop each other's.
        String checkout = Integer.toHexString(System.getProperty("user.dir", "").hashCode());
        TestDatabase.Location db = TestDatabase.fresh("rollout_test_" + checkout);
        return Map.of("rollout.db.url", db.jdbcUrl(), "rollout.db.user", db.user(),
                "rollout.db.password", db.password());
    }

    @Override
    public void stop() {
        // dropped when the JVM exits
    }
}
