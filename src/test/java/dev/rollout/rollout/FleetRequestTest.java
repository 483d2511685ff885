package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.problem.ApiProblem;

/** What a bulk command and a list filter accept, without a database. */
class FleetRequestTest {

    private static ApiProblem refused(FleetRequest request) {
        return assertThrows(ApiProblem.class, () -> request.filter("pause rollouts"));
    }

    @Test
    void aRequestSelectsByTheTargetPatternAndPlan() {
        RolloutFilter filter = new FleetRequest("payments-*", "phase_4", "outage").filter("pause rollouts");
        assertNull(filter.state());
        assertEquals("phase_4", filter.plan());
        // the pattern matches as a token scope of it would
        assertTrue(filter.target().allows("payments-api"));
        assertEquals(List.of("payments-%"), filter.target().likePatterns());
        assertNull(new FleetRequest("*", null, "outage").filter("resume rollouts").plan());
    }

    @Test
    void everyProblemIsA400NamingItsField() {
        for (FleetRequest bad : List.of(new FleetRequest(null, null, "x"), new FleetRequest("", null, "x"),
                new FleetRequest("has space", null, "x"), new FleetRequest("a%", null, "x"),
                new FleetRequest("x".repeat(101), null, "x"), new FleetRequest("-lead", null, "x"))) {
            ApiProblem problem = refused(bad);
            assertEquals(400, problem.status());
            assertEquals("invalid-request", problem.type());
            assertTrue(problem.detail().startsWith("target:"), problem.detail());
        }
        assertTrue(refused(new FleetRequest("a-*", "bad!plan", "x")).detail().startsWith("plan:"));
        for (String reason : new String[] { null, " ", "two\nlines" }) {
            assertTrue(refused(new FleetRequest("a-*", null, reason)).detail().startsWith("reason:"));
        }
        // all field problems at once
        assertEquals(2, ((List<?>) refused(new FleetRequest("a b", "c!", "x")).extensions().get("errors")).size());
    }

    @Test
    void listFiltersAcceptAbsentValuesAndNameBadOnes() {
        assertEquals(List.of(), RolloutFilter.targetProblems(null));
        assertEquals(List.of(), RolloutFilter.targetProblems("*"));
        assertEquals(List.of(), RolloutFilter.planProblems(null));
        assertEquals(List.of(), RolloutFilter.planProblems("phase_4.v2-x"));
        assertTrue(RolloutFilter.targetProblems("a?").get(0).startsWith("target: "));
        assertTrue(RolloutFilter.planProblems("a b").get(0).startsWith("plan: "));
    }
}
