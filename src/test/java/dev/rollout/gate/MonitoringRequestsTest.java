package dev.rollout.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The bound on monitoring requests in flight, and the order in which waiting requests go. No runtime. */
class MonitoringRequestsTest {

    @Test
    void neverMoreThanTheBoundInFlightAndEveryRequestIsSentOnce() {
        MonitoringRequests requests = new MonitoringRequests(3);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Integer> answer = new CompletableFuture<>();
            answers.add(answer);
            results.add(requests.submit(0, () -> {
                sent.incrementAndGet();
                return answer;
            }));
        }
        assertEquals(3, sent.get());
        assertEquals(7, requests.waiting());
        for (int i = 0; i < 10; i++) {
            answers.get(i).complete(i);
            assertTrue(requests.inFlight() <= 3);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(i, results.get(i).join());
        }
        assertEquals(10, sent.get());
        assertEquals(3, requests.largestInFlight());
        assertEquals(0, requests.inFlight());
    }

    @Test
    void eachRolloutsFirstRequestGoesBeforeAnyonesLaterOnes() {
        MonitoringRequests requests = new MonitoringRequests(1);
        CompletableFuture<String> blocker = new CompletableFuture<>();
        requests.submit(0, () -> blocker);
        List<String> order = new ArrayList<>();
        // A greedy rollout queues many requests first; another rollout's first request comes after them.
        for (int rank = 0; rank < 5; rank++) {
            String name = "greedy-" + rank;
            requests.submit(rank, () -> {
                order.add(name);
                return CompletableFuture.completedFuture(name);
            });
        }
        requests.submit(0, () -> {
            order.add("other-0");
            return CompletableFuture.completedFuture("other-0");
        });
        blocker.complete("done");
        assertEquals(List.of("greedy-0", "other-0", "greedy-1", "greedy-2", "greedy-3", "greedy-4"), order);
    }

    @Test
    void manyRequestsFailingAtOnceDoNotRecurseThroughTheQueue() {
        MonitoringRequests requests = new MonitoringRequests(1);
        CompletableFuture<String> blocker = new CompletableFuture<>();
        requests.submit(0, () -> blocker);
        List<CompletableFuture<String>> failing = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            failing.add(requests.submit(0, () -> CompletableFuture.failedFuture(new MonitoringException("misconfigured"))));
        }
        blocker.complete("done");
        CompletionException error = assertThrows(CompletionException.class, () -> failing.get(99_999).join());
        assertTrue(error.getCause() instanceof MonitoringException);
        assertEquals(0, requests.inFlight());
    }

    @Test
    void aBatchOfManyDistinctQueriesKeepsToTheBound() throws Exception {
        try (StubServer prometheus = new StubServer()) {
            AtomicInteger now = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            prometheus.responder = request -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                now.decrementAndGet();
                return StubServer.Response.ok("""
                        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}""");
            };
            GateEvaluator evaluator = new GateEvaluator(new MonitoringSources(
                    new MonitoringSource(new MonitoringEndpoint(URI.create(prometheus.url()), null, null, null, null,
                            null, null), null), java.util.Map.of()), java.time.Clock.systemUTC(), new MonitoringRequests(3));
            GateEvaluator.Batch batch = evaluator.newBatch();
            List<CompletableFuture<List<GateResult>>> evaluations = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                evaluations.add(batch.evaluateAll(List.of(GateDefinition.targetUp("up-" + i, "up{job=\"j" + i + "\"}"))));
            }
            for (CompletableFuture<List<GateResult>> evaluation : evaluations) {
                assertEquals(GateStatus.PASS, evaluation.join().get(0).status());
            }
            assertEquals(20, prometheus.requests.size());
            assertTrue(most.get() <= 3, "at most 3 requests in flight, saw " + most.get());
        }
    }
}
