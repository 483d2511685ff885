package dev.rollout.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the application under test at a fresh real PostgreSQL database. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    /** One database per test JVM, so that test runs of several checkouts on one server never collide. */
    private static final String DATABASE = "rollout_test_" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> start() {
        TestDatabase.Location db = TestDatabase.fresh(DATABASE);
        return Map.of("rollout.db.url", db.jdbcUrl(), "rollout.db.user", db.user(),
                "rollout.db.password", db.password());
    }

    @Override
    public void stop() {
        TestDatabase.drop(DATABASE);
    }
}
