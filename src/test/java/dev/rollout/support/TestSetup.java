package dev.rollout.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Every @QuarkusTest runs against a real PostgreSQL database. */
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
public final class TestSetup {
    private TestSetup() {}
}
