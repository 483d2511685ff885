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

    @Test
    void aRollbackAndATrafficChangingAbortAreEntriesWithTheirTime() {
        Instant t0 = Instant.parse("2025-10-20T21:32:57.247343Z");
        List<DeploymentEvent> events = List.of(event(t0, Action.STARTED, 0.0), event(t0.plusSeconds(1), Action.STEP, 5.0),
                event(t0.plusSeconds(2), Action.STEP, 10.0), event(t0.plusSeconds(3), Action.GATE_VIOLATION, 0.0),
                event(t0.plusSeconds(3), Action.ROLLED_BACK, 0.0));
        LegacyDeploymentState state = LegacyDeploymentState.of(0.0, t0, events);
        assertEquals(4, state.rolloutHistory().size());
        assertEquals(new LegacyDeploymentState.Entry("rollback", 0.0, "2025-10-20T21:33:00.247343+00:00"),
                state.rolloutHistory().get(3));
        assertEquals("2025-10-20T21:33:00.247343+00:00", state.lastStepTime());

        DeploymentEvent keeps = event(t0.plusSeconds(4), Action.ABORTED, 5.0);
        keeps.fromPercentage = 5.0;
        DeploymentEvent changes = event(t0.plusSeconds(5), Action.ABORTED, 0.0);
        changes.fromPercentage = 5.0;
        assertEquals(2, LegacyDeploymentState.of(5.0, t0, List.of(events.get(0), events.get(1), keeps))
                .rolloutHistory().size());
        assertEquals(new LegacyDeploymentState.Entry("abort", 0.0, "2025-10-20T21:33:02.247343+00:00"),
                LegacyDeploymentState.of(0.0, t0, List.of(events.get(0), changes)).rolloutHistory().get(1));
    }
}
