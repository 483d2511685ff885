package dev.rollout.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The fault drill as part of the build: its short form (a few minutes) by default, the long form with
 * {@code -Ddrill.form=long} (what deploy/drill runs). It fails only when an invariant is violated,
 * never on a time: see docs/reliability.md.
 */
class DrillIT {

    @Test
    void everyInvariantHoldsThroughTheFaults() throws Exception {
        DrillDriver.Form form = DrillDriver.Form.of(System.getProperty("drill.form", "short"));
        try (DrillDriver drill = new DrillDriver(form)) {
            DrillDriver.Outcome outcome = drill.run();
            List<String> violations = outcome.violations();
            assertEquals(List.of(), violations.subList(0, Math.min(violations.size(), 30)),
                    violations.size() + " invariant violations (first 30 shown)");
        }
    }
}
