package dev.rollout.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Per-rollout series (labelled rollout_id) do not outlive their rollout: a rollout that finishes in any way
 * (COMPLETED, ROLLED_BACK, ABORTED), here or on another instance, leaves /q/metrics, so the number of series
 * stays bounded by the number of active rollouts.
 */
@QuarkusTest
class FinishedRolloutSeriesTest {

    @Inject
    EntityManager em;

    private static String scrape() {
        return dev.rollout.support.Metrics.scrape().then().statusCode(200).extract().asString();
    }

    private static void awaitGone(String id, String how) {
        Awaitility.await(how).atMost(Duration.ofSeconds(10)).until(() -> !scrape().contains(id));
    }

    @Test
    void aFinishedRolloutLeavesTheScrape() {
        String completing = Api.startRollout(Api.createPlan(Api.plan(Api.unique("one-step"), "MANUAL", "PAUSE",
                List.of(Api.step(100, "PT0S")))), Api.unique("complete-target"));
        String rollingBack = Api.startManualRollout("PT1H");
        String aborting = Api.startManualRollout("PT1H");
        String elsewhere = Api.startManualRollout("PT1H");
        String staying = Api.startManualRollout("PT1H");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            String metrics = scrape();
            return List.of(completing, rollingBack, aborting, elsewhere, staying).stream().allMatch(metrics::contains);
        });

        Api.advance(completing).then().statusCode(200);
        assertTrue(Api.get(completing).jsonPath().getString("state").equals("COMPLETED"));
        awaitGone(completing, "COMPLETED");
        Api.advance(rollingBack).then().statusCode(200);
        Api.command(rollingBack, "rollback", "series").then().statusCode(200);
        awaitGone(rollingBack, "ROLLED_BACK");
        Api.command(aborting, "abort", "series").then().statusCode(200);
        awaitGone(aborting, "ABORTED");

        // Finished by another instance: this one learns it at its next reconciliation with the database.
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update rollout set state = 'ABORTED', "
                + "finished_at = now(), updated_at = now() where id = ?1")
                .setParameter(1, UUID.fromString(elsewhere)).executeUpdate());
        awaitGone(elsewhere, "finished elsewhere");

        String metrics = scrape();
        assertTrue(metrics.contains(staying), "an active rollout keeps its series");
        for (String id : List.of(completing, rollingBack, aborting, elsewhere)) {
            assertFalse(metrics.contains(id), id);
        }
    }
}
