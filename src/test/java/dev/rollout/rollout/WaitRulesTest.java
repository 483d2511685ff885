package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.rollout.problem.ApiProblem;

class WaitRulesTest {

    @Test
    void aWaitIsAnIsoDurationFromZeroToFifteenMinutes() {
        assertEquals(Optional.empty(), WaitRules.parse(null));
        assertEquals(Optional.of(Duration.ofMinutes(10)), WaitRules.parse("PT10M"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), WaitRules.parse("pt10m"));
        assertEquals(Optional.of(Duration.ofMinutes(15)), WaitRules.parse("PT15M"));
        assertEquals(Optional.of(Duration.ZERO), WaitRules.parse("PT0S"));
        for (String bad : List.of("PT15M1S", "P1D", "-PT1M", "PT-1M", "10m", "", "soon", "PT1M ".repeat(50))) {
            ApiProblem problem = assertThrows(ApiProblem.class, () -> WaitRules.parse(bad), bad);
            assertEquals(400, problem.status());
            assertEquals("invalid-request", problem.type());
            assertTrue(problem.detail().startsWith("wait: "), problem.detail());
            assertTrue(problem.detail().length() < 200, "the value is quoted shortened");
        }
    }

    @Test
    void requestsWaitOutRefusalsThatTimeOrMonitoringCanLiftOnly() {
        assertTrue(WaitRules.waitable(refused(Refusal.TOO_EARLY, Duration.ofMinutes(3))));
        assertTrue(WaitRules.waitable(refused(Refusal.GATES_FAILING, null)));
        for (Refusal answeredAtOnce : List.of(Refusal.NOT_PROGRESSING, Refusal.CONCURRENT_CHANGE,
                Refusal.ALREADY_FINISHED)) {
            assertFalse(WaitRules.waitable(refused(answeredAtOnce, null)), answeredAtOnce.type());
        }
        assertTrue(WaitRules.WAITABLE.contains("approval-required"));
    }

    @Test
    void aHeldRequestIsTriedAgainWhenItsDwellEndsOrAtTheNextEvaluation() {
        Duration interval = Duration.ofSeconds(15);
        assertEquals(Duration.ofMinutes(3), WaitRules.nextTry(refused(Refusal.TOO_EARLY, Duration.ofMinutes(3)),
                interval));
        assertEquals(interval, WaitRules.nextTry(refused(Refusal.GATES_FAILING, null), interval));
    }

    @Test
    void theRolloutOfAnEventsWakeUpIsItsPayloadsFirstPart() {
        java.util.UUID id = java.util.UUID.randomUUID();
        assertEquals(Optional.of(id), HeldAdvances.rolloutOf(id + ":42"));
        assertEquals(Optional.empty(), HeldAdvances.rolloutOf("nonsense"));
        assertEquals(Optional.empty(), HeldAdvances.rolloutOf("x:1"));
        assertEquals(Optional.empty(), HeldAdvances.rolloutOf(null));
    }

    private static RolloutRefused refused(Refusal refusal, Duration retryAfter) {
        return new RolloutRefused(refusal, "refused", Map.of(), retryAfter);
    }
}
