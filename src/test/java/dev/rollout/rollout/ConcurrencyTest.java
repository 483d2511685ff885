package dev.rollout.rollout;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startManualRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ConcurrencyTest {

    private static final int CALLERS = 60;

    /**
     * Sixty callers against a pool of thirty connections. What the product answers under that load is the
     * answer to the question each caller asked, never a 503: the pool being busy for a moment is not the
     * database being unavailable (a 503 is reserved for not getting a connection within the acquisition
     * timeout, 5 s, i.e. an outage). So exactly one caller moves the rollout (200) and every other one is
     * refused with a 409 that says why: it saw the rollout before the move and lost the row lock
     * ({@code concurrent-change}), or saw it after the move ({@code too-early}, the new step's dwell).
     */
    @Test
    void sixtyConcurrentAdvancesMoveTheRolloutExactlyOneStep() throws Exception {
        String id = startManualRollout("PT1H");
        List<io.restassured.response.Response> responses = concurrently(CALLERS, () -> advance(id));
        List<String> answers = responses.stream().map(r -> r.statusCode() == 200 ? "200"
                : r.statusCode() + " " + r.path("type")).toList();
        assertEquals(1, answers.stream().filter(a -> a.equals("200")).count(), answers.toString());
        assertEquals(CALLERS - 1, answers.stream()
                .filter(a -> a.equals("409 /problems/concurrent-change") || a.equals("409 /problems/too-early"))
                .count(), answers.toString());
        Api.get(id).then().body("currentPercentage", equalTo(5.0f)).body("stepIndex", equalTo(0));
        List<Map<String, Object>> history = Api.history(id);
        assertEquals(1, history.stream().filter(e -> e.get("action").equals("step")).count());
        // Identical refusals are coalesced into runs (first refusal, then a summary with repeats): once the
        // pause ends the last run, the history accounts for every refused call exactly once.
        command(id, "pause", "count the refusals").then().statusCode(200);
        assertEquals(CALLERS - 1, Api.history(id).stream().filter(e -> e.get("action").equals("advance_refused"))
                .mapToLong(ConcurrencyTest::callsRecorded).sum());
    }

    /** How many refused calls one advance_refused row stands for: 1, or a summary's repeats. */
    @SuppressWarnings("unchecked")
    static long callsRecorded(Map<String, Object> refusal) {
        Object repeats = ((Map<String, Object>) refusal.get("details")).get("repeats");
        return repeats == null ? 1 : ((Number) repeats).longValue();
    }

    @Test
    void concurrentAdvancesOverZeroDwellStepsNeverMoveTwiceFromOneState() throws Exception {
        // With PT0S dwells only the row lock and the version check stop callers that saw the same state.
        String plan = createPlan(plan(unique("instant"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        String id = Api.startRollout(plan, unique("target"));
        List<io.restassured.response.Response> responses = concurrently(CALLERS, () -> advance(id));
        List<Integer> reached = responses.stream().filter(r -> r.statusCode() == 200)
                .map(r -> r.<Integer>path("stepIndex")).sorted().toList();
        assertTrue(!reached.isEmpty(), "at least one caller moves the rollout");
        assertEquals(reached.stream().distinct().toList(), reached, "two callers reported the same step: " + reached);
        Api.get(id).then().body("stepIndex", equalTo(reached.get(reached.size() - 1)));
        List<Map<String, Object>> steps = Api.history(id).stream().filter(e -> e.get("action").equals("step")).toList();
        assertEquals(reached.size(), steps.size());
        for (int i = 1; i < steps.size(); i++) {
            assertEquals(steps.get(i - 1).get("toPercentage"), steps.get(i).get("fromPercentage"));
        }
        // every other caller is told why: it lost the race for a state, or came once the rollout was over
        List<String> refusals = responses.stream().filter(r -> r.statusCode() != 200)
                .map(r -> r.statusCode() + " " + r.path("type")).toList();
        assertTrue(refusals.stream().allMatch(a -> a.equals("409 /problems/concurrent-change")
                || a.equals("409 /problems/not-progressing")), refusals.toString());
    }

    @Test
    void concurrentStartsOnOneTargetCreateExactlyOneRollout() throws Exception {
        String plan = createPlan(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String target = unique("target");
        List<Integer> statuses = concurrently(20, () -> given().contentType(ContentType.JSON)
                .body(Map.of("plan", plan, "target", target, "version", "v1")).post("/api/v1/rollouts").statusCode());
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(19, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
    }

    static <T> List<T> concurrently(int callers, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
