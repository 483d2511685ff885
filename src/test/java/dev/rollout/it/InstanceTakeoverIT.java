package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * Three instances share the watch with no leader. One is killed with SIGKILL while every rollout is
 * mid-plan: the survivors take over its share once its lease runs out, every rollout still completes,
 * each transition is recorded exactly once, and no step comes before its dwell, by database time.
 */
class InstanceTakeoverIT {

    private static final List<String> NAMES = List.of("watch-a", "watch-b", "watch-c");
    private static final int ROLLOUTS = 30;
    private static final double[] STEPS = {10, 25, 50, 75, 100};
    private static final Duration DWELL = Duration.ofSeconds(2);

    private static final Map<String, AppProcess> instances = new LinkedHashMap<>();

    @BeforeAll
    static void startInstances() {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_takeover");
        for (String name : NAMES) {
            Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
            env.put("ROLLOUT_EVALUATION_INTERVAL", "1s");
            env.put("ROLLOUT_WATCH_LEASE", "3s");
            env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", name);
            instances.put(name, AppProcess.start("takeover-" + name, env)); // one by one: the first migrates
        }
    }

    @AfterAll
    static void stopInstances() {
        instances.values().forEach(AppProcess::close);
    }

    @Test
    void theSurvivorsTakeOverAKilledInstancesShareAndNothingHappensTwice() {
        AppProcess a = instances.get("watch-a");
        List<Map<String, Object>> steps = new ArrayList<>();
        for (double p : STEPS) {
            steps.add(Map.of("percentage", p, "minDwell", p == 100 ? "PT0S" : DWELL.toString()));
        }
        AppProcess.Reply plan = a.post("/api/v1/plans",
                Map.of("name", "takeover", "mode", "AUTOMATIC", "onViolation", "PAUSE", "steps", steps));
        assertEquals(201, plan.status(), plan::toString);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ROLLOUTS; i++) {
            AppProcess.Reply started = a.post("/api/v1/rollouts",
                    Map.of("plan", "takeover", "target", "svc-" + i, "version", "v1"));
            assertEquals(201, started.status(), started::toString);
            ids.add(started.json().path("id").asText());
        }

        // Wait until the victim has moved some rollout: it holds a share, and its rollouts are mid-plan.
        AppProcess victim = instances.get("watch-c");
        Awaitility.await("watch-c moves a rollout").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ids.stream().anyMatch(id -> movers(a, id).contains("watch-c")));
        victim.kill();
        Instant killedAt = Instant.now();

        Awaitility.await("every rollout COMPLETED").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> a.get("/api/v1/rollouts?state=COMPLETED&limit=1000").json().size() == ROLLOUTS);
        System.out.printf("all %d rollouts completed %d ms after watch-c was killed%n", ROLLOUTS,
                Duration.between(killedAt, Instant.now()).toMillis());

        Map<String, Integer> moves = new TreeMap<>();
        int takenOver = 0;
        for (String id : ids) {
            List<JsonNode> events = history(a, id);
            checkHistory(id, events, moves);
            List<String> movers = events.stream().filter(e -> isMove(e))
                    .map(e -> e.path("details").path("instance").asText()).toList();
            int lastByVictim = movers.lastIndexOf("watch-c");
            if (lastByVictim >= 0 && lastByVictim < movers.size() - 1) {
                takenOver++;
            }
        }
        assertEquals(Set.of("watch-a", "watch-b", "watch-c"), moves.keySet(), "all three took part: " + moves);
        assertEquals(ROLLOUTS * (STEPS.length + 1), moves.values().stream().mapToInt(Integer::intValue).sum(),
                "each move recorded once: " + moves);
        assertTrue(takenOver > 0, "some rollout moved by watch-c went on with a survivor: " + moves);
        System.out.printf("moves by instance %s; %d rollouts taken over from watch-c%n", moves, takenOver);
    }

    private static boolean isMove(JsonNode event) {
        String action = event.path("action").asText();
        return action.equals("step") || action.equals("completed");
    }

    private static Set<String> movers(AppProcess via, String id) {
        Set<String> movers = new HashSet<>();
        for (JsonNode event : history(via, id)) {
            if (isMove(event)) {
                movers.add(event.path("details").path("instance").asText());
            }
        }
        return movers;
    }

    private static List<JsonNode> history(AppProcess via, String id) {
        AppProcess.Reply reply = via.get("/api/v1/rollouts/" + id + "/history");
        assertEquals(200, reply.status(), reply::toString);
        List<JsonNode> events = new ArrayList<>();
        reply.json().forEach(events::add);
        return events;
    }

    private static void checkHistory(String id, List<JsonNode> events, Map<String, Integer> moves) {
        String where = "rollout " + id + " history " + events;
        Set<String> transitions = new HashSet<>();
        List<JsonNode> stepEvents = new ArrayList<>();
        for (JsonNode event : events) {
            String transition = event.path("action").asText() + ":" + event.path("fromPercentage").asText() + "->"
                    + event.path("toPercentage").asText();
            assertTrue(transitions.add(transition), "duplicate transition " + transition + " in " + where);
            if (isMove(event)) {
                moves.merge(event.path("details").path("instance").asText(), 1, Integer::sum);
            }
            if (event.path("action").asText().equals("step")) {
                stepEvents.add(event);
            }
        }
        assertEquals(STEPS.length, stepEvents.size(), where);
        Instant previous = null;
        for (int i = 0; i < STEPS.length; i++) {
            JsonNode step = stepEvents.get(i);
            assertEquals(STEPS[i], step.path("toPercentage").asDouble(), where);
            Instant at = Instant.parse(step.path("at").asText());
            if (previous != null) {
                assertFalse(at.isBefore(previous.plus(DWELL)), "step to " + STEPS[i] + " before its dwell: " + where);
            }
            previous = at;
        }
        assertEquals("completed", events.get(events.size() - 1).path("action").asText(), where);
    }
}
