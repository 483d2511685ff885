package dev.rollout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.it.AppProcess;

/**
 * The fleet benchmark, small and short, as part of the build: 500 rollouts over 5 plans on one instance.
 * It fails only on broken behaviour, never on a time: a violating rollout not PAUSED within a generous
 * bound (a missed violation), or a rollout whose history does not hold exactly one gate_violation and one
 * paused event (a double action, or none).
 */
class FleetSmokeIT {

    private static final int ROLLOUTS = 500;
    private static final int PLANS = 5;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void everyViolatingRolloutIsPausedOnce() throws Exception {
        try (FleetDriver fleet = new FleetDriver("smoke", PLANS, INTERVAL)) {
            AppProcess app = fleet.start("smoke", AppProcess.TEST_JVM_OPTIONS, Duration.ofSeconds(5));
            fleet.createPlans(app);
            fleet.insertRollouts(ROLLOUTS);
            assertTrue(fleet.awaitFullTicks(ROLLOUTS, BOUND) >= 0, "the watch never evaluated all rollouts");
            String[] last = fleet.lastStarted();
            FleetDriver.ViolationOutcome outcome = fleet.violations(ROLLOUTS,
                    List.of(Integer.parseInt(last[1])), last[0], BOUND);
            fleet.printResources();
            assertTrue(outcome.lastStartedPausedMs() >= 0, "the rollout started last was not paused: " + outcome);
            assertFalse(outcome.planPausedMs().contains(-1L), "a violating plan's rollouts were not all paused: " + outcome);
            assertTrue(outcome.allPausedMs() >= 0, "not every violating rollout was paused: " + outcome);
            assertEquals(0, outcome.wrongHistories(),
                    "rollouts without exactly one gate_violation and one paused event: " + outcome);
            assertTrue(outcome.survived(), "an instance died: " + outcome);
            assertFalse(fleet.outOfMemory(), "an instance ran out of memory");
        }
    }
}
