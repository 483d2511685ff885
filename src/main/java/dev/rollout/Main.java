package dev.rollout;

import dev.rollout.db.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Starts the service; with no database configured, first starts the embedded one for local runs. */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        EmbeddedDatabase.startIfNoDatabaseConfigured();
        Quarkus.run(args);
    }
}
