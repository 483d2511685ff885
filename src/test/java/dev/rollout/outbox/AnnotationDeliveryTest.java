package dev.rollout.outbox;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.support.Api;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.GrafanaStubResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The outbox's promise: no annotation is lost while Grafana is down or slow, none is sent twice, events of
 * one rollout arrive in order, and delivery never holds up the API. The application's own deliverer runs
 * on its schedule throughout; "another instance" is a second deliverer with its own instance name on the
 * same database.
 */
@QuarkusTest
class AnnotationDeliveryTest {

    @Inject
    Outbox outbox;

    @Inject
    OutboxConfig config;

    @Inject
    Instance<DeliveryChannel> channels;

    @Inject
    EntityManager em;

    GrafanaStub grafana = GrafanaStubResource.stub();

    @AfterEach
    void resetStub() {
        grafana.reset();
    }

    @Test
    void grafanaDownForAWhileThenBackGetsEveryAnnotationOnceInOrderPerRollout() {
        grafana.down();
        String plan = createPlan(plan(unique("outage"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        List<String> rollouts = List.of(startRollout(plan, unique("svc")), startRollout(plan, unique("svc")));
        for (String id : rollouts) {
            Api.advance(id).then().statusCode(200);
            Api.advance(id).then().statusCode(200);
            Api.command(id, "pause", "hold on").then().statusCode(200);
            Api.command(id, "resume", null).then().statusCode(200);
            Api.advance(id).then().statusCode(200);
        }
        // Grafana refuses for a while: attempts fail, are retried, and nothing is stored.
        await().atMost(Duration.ofSeconds(60)).until(() -> attemptsOfPending(rollouts.get(0)) >= 3);
        assertTrue(grafana.annotationsTagged("rollout:" + rollouts.get(0)).isEmpty());

        grafana.up();
        for (String id : rollouts) {
            List<Long> seqs = seqs(id);
            await().atMost(Duration.ofSeconds(30)).until(() -> grafana.annotationsTagged("rollout:" + id).size() == seqs.size());
            List<String> arrived = new ArrayList<>();
            for (GrafanaStub.Stored a : grafana.annotationsTagged("rollout:" + id)) {
                arrived.add(a.tags().stream().filter(t -> t.startsWith("event:")).findFirst().orElseThrow());
            }
            assertEquals(seqs.stream().map(s -> "event:" + s).toList(), arrived, "once each, in order");
        }
    }

    @Test
    void anAnswerLostAfterGrafanaStoredTheAnnotationIsNotSentAgain() {
        String target = unique("svc");
        grafana.dropAnswerWhen(body -> tagged(body, "target:" + target));
        String id = startRollout(createPlan(plan(unique("lost"), "MANUAL", "PAUSE", seedSteps("PT1H"))), target);
        long started = seqs(id).get(0);
        await().atMost(Duration.ofSeconds(60)).until(() -> "DELIVERED".equals(rowState(started)));
        assertEquals(1, grafana.postsTagged("rollout:" + id, "event:" + started).size(), "posted exactly once");
        assertEquals(1, grafana.annotationsTagged("rollout:" + id, "event:" + started).size());
        assertEquals(Boolean.TRUE, deduplicated(started), "the retry found it in Grafana instead of re-creating it");
    }

    @Test
    void anInstanceThatDiesMidDeliveryIsTakenOverWithoutADuplicate() throws Exception {
        String target = unique("svc");
        grafana.holdWhen(body -> tagged(body, "target:" + target));
        String id = startRollout(createPlan(plan(unique("takeover"), "MANUAL", "PAUSE", seedSteps("PT1H"))), target);
        long started = seqs(id).get(0);
        // The application's deliverer has sent the annotation; Grafana stored it but has not answered yet.
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.holding() == 1);
        assertEquals(1, grafana.annotationsTagged("rollout:" + id).size());
        // That instance is now as good as dead: its lease runs out (here: at once) with nothing recorded.
        expireLease(started);
        OutboxDeliverer other = new OutboxDeliverer(outbox, config, channels, OutboxDeliverer.DeliveryListener.NONE,
                "outbox:other-instance");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            other.runOnce();
            return "DELIVERED".equals(rowState(started));
        });
        assertEquals(Boolean.TRUE, deduplicated(started), "taken over by looking Grafana up, not by re-sending");
        grafana.releaseHeld(); // the first instance's answer arrives late; its claim is gone, it changes nothing
        assertEquals(1, grafana.postsTagged("rollout:" + id, "event:" + started).size());
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.annotationsTagged("rollout:" + id).size() == 1);
        assertEquals(1, grafana.annotationsTagged("rollout:" + id, "event:" + started).size());
    }

    @Test
    void severalDeliverersOnOneBacklogSendEveryRowExactlyOnce() throws Exception {
        grafana.down();
        String plan = createPlan(plan(unique("backlog"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        List<String> rollouts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = startRollout(plan, unique("svc"));
            for (int s = 0; s < 5; s++) {
                Api.advance(id).then().statusCode(200);
            }
            rollouts.add(id);
        }
        // Three more instances join the application's own deliverer on the same backlog.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        grafana.up();
        for (int i = 0; i < 3; i++) {
            OutboxDeliverer instance = new OutboxDeliverer(outbox, config, channels,
                    OutboxDeliverer.DeliveryListener.NONE, "outbox:instance-" + i);
            running.add(CompletableFuture.runAsync(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < until && !allDelivered(rollouts)) {
                    instance.runOnce();
                }
            }, pool));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
        pool.shutdown();
        assertTrue(allDelivered(rollouts));
        for (String id : rollouts) {
            List<Long> seqs = seqs(id);
            for (long seq : seqs) {
                assertEquals(1, grafana.postsTagged("rollout:" + id, "event:" + seq).size(), "event " + seq);
            }
            List<String> arrived = grafana.annotationsTagged("rollout:" + id).stream()
                    .map(a -> a.tags().stream().filter(t -> t.startsWith("event:")).findFirst().orElseThrow()).toList();
            assertEquals(seqs.stream().map(s -> "event:" + s).toList(), arrived);
        }
    }

    @Test
    void aSlowGrafanaDoesNotSlowTheAdvanceEndpoint() {
        String target = unique("svc");
        grafana.holdWhen(body -> tagged(body, "target:" + target));
        String id = startRollout(createPlan(plan(unique("slow"), "MANUAL", "PAUSE", seedSteps("PT0S"))), target);
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.holding() == 1);
        // Grafana is holding the deliverer's request; the API goes on answering at once, every time.
        for (int i = 0; i < 3; i++) {
            Response advanced = Api.advance(id);
            advanced.then().statusCode(200);
            assertEquals(1, grafana.holding(), "answered while Grafana was still holding the request");
        }
        assertFalse(grafana.annotationsTagged("rollout:" + id, "action:step").size() > 0,
                "the steps' annotations wait behind the held one, in order");
        grafana.releaseHeld();
        List<Long> seqs = seqs(id);
        await().atMost(Duration.ofSeconds(60)).until(() -> grafana.annotationsTagged("rollout:" + id).size() == seqs.size());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static boolean tagged(JsonNode body, String tag) {
        for (JsonNode t : body.path("tags")) {
            if (t.asText().equals(tag)) {
                return true;
            }
        }
        return false;
    }

    private static List<Long> seqs(String rolloutId) {
        return Api.history(rolloutId).stream().map(e -> ((Number) e.get("seq")).longValue()).toList();
    }

    private boolean allDelivered(List<String> rollouts) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from event_outbox where channel = 'grafana' and state = 'PENDING' "
                        + "and rollout_id in (" + String.join(",", rollouts.stream().map(r -> "'" + r + "'").toList()) + ")")
                .getSingleResult()).longValue() == 0);
    }

    private int attemptsOfPending(String rolloutId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select coalesce(max(attempts), 0) from event_outbox where channel = 'grafana' and state = 'PENDING' "
                        + "and rollout_id = cast(?1 as uuid)").setParameter(1, rolloutId).getSingleResult()).intValue());
    }

    private String rowState(long seq) {
        return (String) column("state", seq);
    }

    private Boolean deduplicated(long seq) {
        return (Boolean) column("deduplicated", seq);
    }

    private Object column(String column, long seq) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("select " + column + " from event_outbox where channel = 'grafana' "
                    + "and event_seq = ?1").setParameter(1, seq).getResultList();
            return rows.isEmpty() ? null : rows.get(0);
        });
    }

    private void expireLease(long seq) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update event_outbox "
                + "set claimed_until = now() - interval '1 second' where channel = 'grafana' and event_seq = ?1")
                .setParameter(1, seq).executeUpdate());
    }
}
