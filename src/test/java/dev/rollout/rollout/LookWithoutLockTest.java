package dev.rollout.rollout;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A look without the row lock may record refusals only: any other event is appended by a change holding
 * the rollout's row lock, which is what lets the history skip the KEY SHARE lock for it (see RefusalRuns).
 */
@QuarkusTest
class LookWithoutLockTest {

    @Inject
    RolloutChanges changes;

    @Test
    void aLookWithoutTheLockCannotAppendATransition() {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String id = startRollout(plan, unique("target"));
        int eventsBefore = Api.history(id).size();

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> changes.change(UUID.fromString(id), RolloutChanges.LockMode.NO_LOCK, null, locked ->
                        RolloutChanges.Decided.of(locked.rollout().pause(locked.now(), "tester", "look"), "paused")));

        assertEquals("a look without the row lock may record refusals only, not paused", refused.getMessage());
        assertEquals(eventsBefore, Api.history(id).size(), "nothing was appended");
        Api.get(id).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("PROGRESSING"));
    }
}
