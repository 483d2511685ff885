package dev.rollout.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class LegacyDeploymentStateTest {

    @Test
    void formatsTimestampsLikeThePythonFile() {
        assertEquals("2025-10-20T21:32:57.247341+00:00",
                LegacyDeploymentState.format(Instant.parse("2025-10-20T21:32:57.247341Z")));
        assertEquals("2025-10-20T21:32:57.000000+00:00", LegacyDeploymentState.format(Instant.parse("2025-10-20T21:32:57Z")));
    }

    @Test
    void showsOnlyStartAndStepsAsDeploySteps() {
        Instant t0 = Instant.parse("2025-10-20T21:32:57.247343Z");
        List<DeploymentEvent> events = List.of(event(t0, Action.STARTED, 0.0), event(t0.plusSeconds(1), Action.STEP, 5.0),
                event(t0.plusSeconds(2), Action.ADVANCE_REFUSED, 10.0), event(t0.plusSeconds(3), Action.PAUSED, 5.0));
        LegacyDeploymentState state = LegacyDeploymentState.of(5.0, t0, events);
        assertEquals(2, state.rolloutHistory().size());
        assertEquals(new LegacyDeploymentState.Entry("deploy_step", 0.0, "2025-10-20T21:32:57.247343+00:00"),
                state.rolloutHistory().get(0));
        assertEquals("2025-10-20T21:32:58.247343+00:00", state.lastStepTime());
        assertEquals("2025-10-20T21:32:57.247343+00:00", state.deploymentStarted());
    }

    private static DeploymentEvent event(Instant at, Action action, double to) {
        DeploymentEvent e = new DeploymentEvent();
        e.at = at;
        e.action = action.wireName();
        e.toPercentage = to;
        return e;
    }
}
