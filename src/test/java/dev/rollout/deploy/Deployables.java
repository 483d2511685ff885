package dev.rollout.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the shipped deployment files (Kubernetes, compose) are checked against. */
public final class Deployables {

    public static final Path KUBERNETES = Path.of("deploy/kubernetes");
    public static final Path COMPOSE = Path.of("deploy/compose.yaml");
    public static final Path ENTRY_SCRIPT = Path.of("src/main/docker/run-java.sh");
    public static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
    public static final Path RULES = Path.of("deploy/prometheus/rollout-controller-rules.yml");
    public static final Path OPERATIONS = Path.of("docs/operations.md");

    /**
     * Variables of the database owner/runtime split (docs/operations.md), which the service reads once the
     * least-privilege database change is in: accepted here until then, and only these.
     */
    static final Set<String> OWNER_SPLIT = Set.of("ROLLOUT_DB_OWNER_USER", "ROLLOUT_DB_OWNER_PASSWORD");

    private static ConfigNames names;

    private Deployables() {
    }

    /** Why the controller's environment variable {@code name} is not read by anything, or null when it is. */
    public static String unread(String name) {
        if (names == null) {
            names = ConfigNames.ofTheService();
        }
        if (names.readsEnvironmentVariable(name) || entryScriptVariables().contains(name) || OWNER_SPLIT.contains(name)) {
            return null;
        }
        if (name.startsWith("QUARKUS_") && read(Path.of("README.md")).contains("`" + name + "`")) {
            return null; // a Quarkus setting the README documents for operators
        }
        return name + " is read by neither the service (no such rollout.* or quarkus.* property) nor "
                + ENTRY_SCRIPT;
    }

    /** The variables the image's entry script reads ({@code ${NAME...}}). */
    public static Set<String> entryScriptVariables() {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(read(ENTRY_SCRIPT));
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** Whether a variable of this name holds a secret. */
    public static boolean secretName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.contains("PASSWORD") || upper.contains("TOKEN") || upper.contains("SECRET");
    }

    /** Every alert name in the shipped Prometheus rule file. */
    public static List<String> alertNames() {
        List<String> alerts = new ArrayList<>();
        for (Object group : Yaml.listAt(Yaml.document(RULES), "groups")) {
            for (Object rule : Yaml.listAt(group, "rules")) {
                String alert = Yaml.string(rule, "alert");
                if (alert != null) {
                    alerts.add(alert);
                }
            }
        }
        assertTrue(!alerts.isEmpty(), RULES + " has alerts");
        return alerts;
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
