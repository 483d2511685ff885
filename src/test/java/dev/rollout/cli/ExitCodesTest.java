package dev.rollout.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The exit-code contract (README, docs/operations.md): which API answer gives which code. */
class ExitCodesTest {

    @Test
    void refusalsOfAnAdvanceHaveTheirOwnCodes() {
        assertEquals(3, ExitCodes.forProblem(409, "too-early"));
        assertEquals(4, ExitCodes.forProblem(409, "gates-failing"));
        assertEquals(5, ExitCodes.forProblem(409, "not-progressing"));
        assertEquals(6, ExitCodes.forProblem(409, "frozen"));
        assertEquals(6, ExitCodes.forProblem(409, "outside-window"));
        assertEquals(7, ExitCodes.forProblem(409, "approval-required"));
    }

    @Test
    void aStateThatDoesNotAllowTheCommandIsNotProgressing() {
        assertEquals(5, ExitCodes.forProblem(409, "not-paused"));
        assertEquals(5, ExitCodes.forProblem(409, "already-finished"));
    }

    @Test
    void authenticationAndPermissionRefusalsAreEight() {
        assertEquals(8, ExitCodes.forProblem(401, "unauthenticated"));
        assertEquals(8, ExitCodes.forProblem(403, "forbidden"));
        assertEquals(8, ExitCodes.forProblem(403, "out-of-scope"));
        assertEquals(8, ExitCodes.forProblem(403, "approval-not-allowed"));
        assertEquals(8, ExitCodes.forProblem(403, "some-new-refusal"), "by status when the type is new");
        assertEquals(8, ExitCodes.forProblem(401, ""), "a 401 that is no problem+json");
    }

    @Test
    void badInputIsTwoWhateverTheType() {
        for (String type : new String[] {"invalid-plan", "invalid-request", "invalid-json", "unknown-field",
                "not-found", "plan-version-exists", "payload-too-large", "unsupported-media-type",
                "idempotency-key-reused", "invalid-idempotency-key", "approval-not-required"}) {
            assertEquals(2, ExitCodes.forProblem(type.equals("not-found") ? 404 : 400, type), type);
        }
        assertEquals(2, ExitCodes.forProblem(400, "a-new-kind-of-bad-input"));
        assertEquals(2, ExitCodes.forProblem(404, ""));
    }

    @Test
    void everythingElseIsOne() {
        assertEquals(1, ExitCodes.forProblem(409, "active-rollout-exists"));
        assertEquals(1, ExitCodes.forProblem(409, "concurrent-change"));
        assertEquals(1, ExitCodes.forProblem(429, "rate-limited"));
        assertEquals(1, ExitCodes.forProblem(503, "database-unavailable"));
        assertEquals(1, ExitCodes.forProblem(500, ""));
        assertEquals(1, ExitCodes.forProblem(409, "a-new-conflict"));
    }

    @Test
    void theTypeIsTheLastSegmentOfItsUri() {
        assertEquals("too-early", ExitCodes.typeName("/problems/too-early"));
        assertEquals("too-early", ExitCodes.typeName("https://rollout.example/problems/too-early/"));
        assertEquals("frozen", ExitCodes.typeName("frozen"));
        assertEquals("", ExitCodes.typeName(null));
    }
}
