package dev.rollout.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Every @QuarkusTest runs against a real PostgreSQL database, with fresh secrets configured. */
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = SecurityResource.class, restrictToAnnotatedClass = false)
public final class TestSetup {
    private TestSetup() {}
}
