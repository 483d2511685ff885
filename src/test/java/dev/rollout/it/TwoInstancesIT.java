package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.TestDatabase;

/**
 * Two controller instances on one database, each evaluating every second: every AUTOMATIC rollout must
 * still make each transition exactly once (the instances split the fleet, and the row lock with its
 * version check keeps them from acting twice while they learn of each other), both instances must take
 * part, and no step may follow the previous one before its dwell, by database time.
 */
class TwoInstancesIT {

    private static final String INSTANCE_A = "controller-a";
    private static final String INSTANCE_B = "controller-b";
    private static final int CONTENDED = 30;
    private static final int DWELLING = 6;

    /** An AUTOMATIC plan: its steps, each but the last (which, like the seed's, has none) with {@code dwell}. */
    private record PlanShape(String name, double[] percentages, Duration dwell) {
    }

    /** The seed's steps with no dwell: every unfinished rollout is due at every evaluation. */
    private static final PlanShape NO_DWELL = new PlanShape("no-dwell", new double[] {5, 10, 25, 50, 75, 100},
            Duration.ZERO);
    /** A dwell twice the evaluation interval, so that a step taken at the next evaluation would be too early. */
    private static final PlanShape WITH_DWELL = new PlanShape("with-dwell", new double[] {50, 100},
            Duration.ofSeconds(2));

    private static AppProcess a;
    private static AppProcess b;

    @BeforeAll
    static void startInstances() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_two");
        // One after the other: the first one applies the migrations, the second only validates them.
        a = AppProcess.start("two-instances-a", env(db, INSTANCE_A));
        b = AppProcess.start("two-instances-b", env(db, INSTANCE_B));
    }

    private static Map<String, String> env(TestDatabase.Location db, String instanceId) {
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_EVALUATION_INTERVAL", "1s"); // the scheduler runs sub-second intervals no faster than 1 s
        env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", instanceId);
        return env;
    }

    @AfterAll
    static void stopInstances() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void everyTransitionHappensExactlyOnceAndBothInstancesAct() {
        // With no dwell every unfinished rollout is due at every evaluation. Each instance watches its share
        // of the fleet; while they learn of each other both may look at one rollout, and the row lock with
        // its version check is what keeps a transition from happening twice.
        createPlan(NO_DWELL);
        // With a dwell, the next step waits for it whichever instance evaluates, by database time.
        createPlan(WITH_DWELL);

        // Both instances take requests as well as running the controller.
        List<String> contended = new ArrayList<>();
        List<String> dwelling = new ArrayList<>();
        for (int i = 0; i < CONTENDED + DWELLING; i++) {
            boolean dwell = i >= CONTENDED;
            AppProcess via = i % 2 == 0 ? a : b;
            PlanShape plan = dwell ? WITH_DWELL : NO_DWELL;
            AppProcess.Reply started = via.post("/api/v1/rollouts",
                    Map.of("plan", plan.name(), "target", "service-" + i, "version", "v2.0." + i));
            assertEquals(201, started.status(), started::toString);
            assertEquals("PROGRESSING", started.json().path("state").asText());
            (dwell ? dwelling : contended).add(started.json().path("id").asText());
        }

        // One step per evaluation at best: several seconds.
        Awaitility.await("all rollouts COMPLETED")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> a.get("/api/v1/rollouts?state=COMPLETED&limit=1000").json().size()
                        == CONTENDED + DWELLING);

        Map<String, Integer> contendedMoves = new TreeMap<>();
        for (String id : contended) {
            checkRollout(id, NO_DWELL, contendedMoves);
        }
        Map<String, Integer> dwellingMoves = new TreeMap<>();
        for (String id : dwelling) {
            checkRollout(id, WITH_DWELL, dwellingMoves);
        }

        assertEquals(Set.of(INSTANCE_A, INSTANCE_B), contendedMoves.keySet(),
                "both instances should have moved rollouts: " + contendedMoves);
        assertEquals(CONTENDED * (NO_DWELL.percentages().length + 1), total(contendedMoves),
                "every step and completion is attributed to exactly one instance: " + contendedMoves);
        assertEquals(DWELLING * (WITH_DWELL.percentages().length + 1), total(dwellingMoves), dwellingMoves::toString);
        System.out.printf("controller moves by instance: without dwell %s, with dwell %s%n", contendedMoves,
                dwellingMoves);
    }

    private static int total(Map<String, Integer> moves) {
        return moves.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void createPlan(PlanShape shape) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (double p : shape.percentages()) {
            steps.add(Map.of("percentage", p, "minDwell", p == 100 ? "PT0S" : shape.dwell().toString()));
        }
        AppProcess.Reply plan = a.post("/api/v1/plans",
                Map.of("name", shape.name(), "mode", "AUTOMATIC", "onViolation", "PAUSE", "steps", steps));
        assertEquals(201, plan.status(), plan::toString);
    }

    private static void checkRollout(String id, PlanShape shape, Map<String, Integer> movesByInstance) {
        AppProcess.Reply rollout = b.get("/api/v1/rollouts/" + id);
        assertEquals(200, rollout.status(), rollout::toString);
        assertEquals("COMPLETED", rollout.json().path("state").asText(), id);
        assertEquals(100.0, rollout.json().path("currentPercentage").asDouble(), id);

        AppProcess.Reply reply = a.get("/api/v1/rollouts/" + id + "/history");
        assertEquals(200, reply.status(), reply::toString);
        List<JsonNode> events = new ArrayList<>();
        reply.json().forEach(events::add);
        checkHistory(id, events, shape, movesByInstance);
    }

    private static void checkHistory(String id, List<JsonNode> events, PlanShape shape,
            Map<String, Integer> movesByInstance) {
        double[] percentages = shape.percentages();
        String where = "rollout " + id + " history " + events;
        assertFalse(events.isEmpty(), where);

        // Oldest first, by sequence number.
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).path("seq").asLong() > events.get(i - 1).path("seq").asLong(), where);
        }

        Map<String, Integer> byAction = new HashMap<>();
        Set<String> transitions = new HashSet<>();
        List<JsonNode> stepEvents = new ArrayList<>();
        for (JsonNode event : events) {
            String action = event.path("action").asText();
            byAction.merge(action, 1, Integer::sum);
            String transition = action + ":" + event.path("fromPercentage").asText() + "->"
                    + event.path("toPercentage").asText();
            assertTrue(transitions.add(transition), "duplicate transition " + transition + " in " + where);
            if (action.equals("step")) {
                stepEvents.add(event);
            }
            if (action.equals("step") || action.equals("completed")) {
                assertEquals("controller", event.path("actor").asText(), where);
                String instance = event.path("details").path("instance").asText(null);
                assertNotNull(instance, "a controller move names its instance: " + where);
                movesByInstance.merge(instance, 1, Integer::sum);
            }
        }
        assertEquals(Map.of("started", 1, "step", percentages.length, "completed", 1), byAction, where);
        assertEquals("started", events.get(0).path("action").asText(), where);
        assertEquals("completed", events.get(events.size() - 1).path("action").asText(), where);

        double from = 0;
        Instant previousAt = null;
        for (int i = 0; i < percentages.length; i++) {
            JsonNode step = stepEvents.get(i);
            assertEquals(from, step.path("fromPercentage").asDouble(), where);
            assertEquals(percentages[i], step.path("toPercentage").asDouble(), where);
            Instant at = Instant.parse(step.path("at").asText());
            if (previousAt != null) {
                // The previous step's dwell, measured with the database clock, had fully elapsed.
                assertFalse(at.isBefore(previousAt.plus(shape.dwell())),
                        "step to " + percentages[i] + " at " + at + " came before the dwell from " + previousAt
                                + " was over: " + where);
            }
            previousAt = at;
            from = percentages[i];
        }
    }
}
