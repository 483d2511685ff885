package dev.rollout.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.support.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The annotation text has one implementation, the SQL function rollout_annotation_text (migration V5), used
 * by the rollout_annotation view; the Grafana delivery reads its text and tags from that view.
 */
@QuarkusTest
class AnnotationTextTest {

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    private String text(String action, Double from, Double to, String actor, String reason, Map<String, Object> details)
            throws Exception {
        String detailsJson = json.writeValueAsString(details);
        return QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select rollout_annotation_text('genesis-orchestrator', 'v4.0.0', 'phase_4_deployment', 2, 'AUTOMATIC',"
                        + " 'ROLLBACK', ?1, cast(?2 as double precision), cast(?3 as double precision), ?4, ?5,"
                        + " cast(?6 as jsonb))")
                .setParameter(1, action).setParameter(2, from).setParameter(3, to).setParameter(4, actor)
                .setParameter(5, reason).setParameter(6, detailsJson).getSingleResult());
    }

    @Test
    void saysWhatHappenedFromWhereToWhereWhoAndWhy() throws Exception {
        assertEquals("genesis-orchestrator v4.0.0: stepped from 5 % to 10 % by controller",
                text("step", 5.0, 10.0, "controller", null, Map.of()));
        assertEquals("genesis-orchestrator v4.0.0: rolled back from 12.5 % to 0 % by alice. Reason: error budget",
                text("rolled_back", 12.5, 0.0, "alice", "error budget", Map.of()));
        assertEquals("genesis-orchestrator v4.0.0: rollout started at 0 % (plan phase_4_deployment v2, AUTOMATIC) by bob",
                text("started", null, 0.0, "bob", null, Map.of()));
        assertEquals("genesis-orchestrator v4.0.0: advance from 5 % to 10 % refused: too-early by deploy-bot. "
                        + "retry in 60 s",
                text("advance_refused", 5.0, 10.0, "deploy-bot", "too-early", Map.of("detail", "retry in 60 s")));
        assertEquals("genesis-orchestrator v4.0.0: advance from 5 % refused: not-progressing by deploy-bot",
                text("advance_refused", 5.0, null, "deploy-bot", "not-progressing", Map.of()));
        assertEquals("genesis-orchestrator v4.0.0: gate violation at 25 %, policy ROLLBACK by controller. "
                        + "Failing gates: app-metrics (FAIL: genesis_tests_total_total absent), no-alerts (ERROR)",
                text("gate_violation", 25.0, 25.0, "controller", null, Map.of("gates", List.of(
                        Map.of("name", "orchestrator-up", "status", "PASS"),
                        Map.of("name", "app-metrics", "status", "FAIL", "detail", "genesis_tests_total_total absent"),
                        Map.of("name", "no-alerts", "status", "ERROR")))));
        assertEquals("genesis-orchestrator v4.0.0: paused at 5 % by alice", text("paused", 5.0, 5.0, "alice", " ", Map.of()));
    }

    @Test
    void gateResultsShowTheirEvidenceHoldsAndShadowsSayWhatTheyMean() throws Exception {
        Map<String, Object> upDown = Map.of("name", "orchestrator-up", "status", "ERROR", "shadow", false,
                "detail", "connection refused to Prometheus at p:9090",
                "evidence", Map.of("query", "up{job=\"o\"}", "observed", "connection refused to Prometheus at p:9090",
                        "threshold", "at least one series, every value = 1"));
        Map<String, Object> shadowSlow = Map.of("name", "p99", "status", "FAIL", "shadow", true, "detail", "0.4",
                "evidence", Map.of("query", "p99_latency", "observed", "0.4", "threshold", "< 0.3"));
        // The policy named is the one the gates asked for, not the plan's onViolation (ROLLBACK here).
        assertEquals("genesis-orchestrator v4.0.0: gate violation at 5 %, policy PAUSE by controller. "
                        + "Failing gates: orchestrator-up (ERROR: query up{job=\"o\"}; observed connection refused to "
                        + "Prometheus at p:9090; threshold at least one series, every value = 1)",
                text("gate_violation", 5.0, 5.0, "controller", null, Map.of("policy", "PAUSE", "gates", List.of(upDown))));
        assertEquals("genesis-orchestrator v4.0.0: holding at 5 %: gates in ERROR, no advance, and the dwell does not "
                        + "count until they answer by controller. Failing gates: orchestrator-up (ERROR: query "
                        + "up{job=\"o\"}; observed connection refused to Prometheus at p:9090; threshold at least one "
                        + "series, every value = 1)",
                text("hold_started", 5.0, 5.0, "controller", "holding: orchestrator-up ERROR", Map.of("gates",
                        List.of(upDown))));
        assertEquals("genesis-orchestrator v4.0.0: hold at 5 % over after 4212 s; the dwell is extended by it and ends "
                        + "at 2026-03-02 11:10:12 UTC by controller",
                text("hold_ended", 5.0, 5.0, "controller", "hold over after PT1H10M12S", Map.of("heldSeconds", 4212,
                        "earliestAdvanceAt", "2026-03-02T11:10:12.345Z", "gates", List.of(
                                Map.of("name", "orchestrator-up", "status", "PASS")))));
        assertEquals("genesis-orchestrator v4.0.0: shadow gate not passing at 5 % (not enforced: nothing blocked) by "
                        + "controller. Failing gates: p99 (shadow, FAIL: query p99_latency; observed 0.4; threshold < 0.3)",
                text("shadow_violation", 5.0, 5.0, "controller", "shadow gate not passing", Map.of("gates",
                        List.of(shadowSlow))));
    }

    @Test
    void anOverrideSaysWhoSetTheRulesAsideAndWhy() throws Exception {
        assertEquals("genesis-orchestrator v4.0.0: override from 5 % to 10 % by admin. Reason: hotfix verified. "
                        + "Failing gates: orchestrator-up (FAIL: no series)",
                text("override", 5.0, 10.0, "admin", "hotfix verified", Map.of("bypassed", List.of("gates"),
                        "gates", List.of(Map.of("name", "orchestrator-up", "status", "FAIL", "detail", "no series")))));
    }

    @Test
    void theViewShowsEveryTagTheDocumentationLists() {
        String id = Api.startManualRollout("PT0S");
        Api.advance(id).then().statusCode(200);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select seq, tags, text from rollout_annotation where rollout_id = cast(?1 as uuid) order by seq")
                .setParameter(1, id).getResultList());
        assertEquals(2, rows.size());
        Object[] step = rows.get(1);
        String tags = (String) step[1];
        for (String prefix : List.of("rollout,", ",plan:", ",target:", ",action:step,", ",version:v1.0.0,",
                ",rollout:" + id + ",", ",event:" + step[0])) {
            assertTrue(tags.contains(prefix), prefix + " in " + tags);
        }
        assertTrue(((String) step[2]).contains("stepped from 0 % to 5 % by bootstrap-admin"), (String) step[2]);
    }

    /**
     * The failing gates are listed by rollout_failing_gates, an aggregate PostgreSQL plans on every call; every
     * change builds a text (its outbox row), so events that carry no gates must not run it. Counted with
     * track_functions in the transaction's own statistics.
     */
    @Test
    void theFailingGatesAreOnlyLookedForInEventsThatCarryGates() throws Exception {
        String id = Api.startManualRollout("PT0S");
        Api.advance(id).then().statusCode(200); // started and step: no gates
        String withGates = json.writeValueAsString(Map.of("gates", List.of(Map.of("name", "up", "status", "FAIL"))));
        Assumptions.assumeTrue(maySetTrackFunctions(), "this database role may not set track_functions");
        long[] calls = QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("set local track_functions = 'all'").executeUpdate();
            em.createNativeQuery("select text from rollout_annotation where rollout_id = cast(?1 as uuid)")
                    .setParameter(1, id).getResultList();
            long withoutGates = failingGatesCalls();
            em.createNativeQuery("select rollout_annotation_text(r.target, r.version, 'p', 1, 'MANUAL', 'PAUSE',"
                    + " 'gate_violation', 5, 5, 'controller', null, cast(?2 as jsonb)) from rollout r"
                    + " where r.id = cast(?1 as uuid)").setParameter(1, id).setParameter(2, withGates).getResultList();
            return new long[] {withoutGates, failingGatesCalls()};
        });
        assertEquals(0, calls[0], "rollout_failing_gates ran for events without gates");
        assertTrue(calls[1] > 0, "an event with gates lists them");
    }

    /**
     * Whether the role may set track_functions (deploy/test grants it), tried in a transaction of its own: a
     * refused SET aborts the transaction it runs in.
     */
    private boolean maySetTrackFunctions() {
        try {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("set local track_functions = 'all'")
                    .executeUpdate());
            return true;
        } catch (RuntimeException notAllowed) {
            return false;
        }
    }

    private long failingGatesCalls() {
        return ((Number) em.createNativeQuery("select coalesce(sum(calls), 0) from pg_stat_xact_user_functions"
                + " where funcname = 'rollout_failing_gates'").getSingleResult()).longValue();
    }

    /**
     * The view's text is built inline in the statement that reads it (the outbox insert of every change): a
     * non-immutable call in rollout_annotation_text (text || integer, to_char) would make PostgreSQL run the
     * function through its SQL-function executor for every row, re-planned in every statement, about five times
     * the cost of the change's other statements together.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAnnotationTextIsBuiltInlineByTheStatementThatReadsIt() {
        List<String> plan = QuarkusTransaction.requiringNew().call(() -> (List<String>) em.createNativeQuery(
                "explain (verbose, costs off) select text from rollout_annotation where seq = 1").getResultList());
        String output = String.join("\n", plan);
        assertTrue(output.contains("Output: ((((") && !output.contains("rollout_annotation_text("),
                "rollout_annotation_text is no longer inlined; an element of it is not immutable:\n" + output);
    }
}
