package dev.rollout.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The shipped Prometheus rule file is valid and its unit tests pass, checked by the real promtool. */
class RuleFilesTest {

    static final Path RULES = Path.of("deploy/prometheus/rollout-controller-rules.yml");
    static final Path RULE_TESTS = Path.of("deploy/prometheus/rollout-controller-rules.test.yml");

    @Test
    void promtoolChecksTheRules() throws Exception {
        assertTrue(Files.isRegularFile(RULES), RULES + " exists");
        run("promtool", "check", "rules", RULES.toString());
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        run("promtool", "test", "rules", RULE_TESTS.toString());
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (var lines = process.inputReader().lines()) {
            lines.forEach(output::add);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + String.join("\n", output));
    }
}
