package dev.rollout.gate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one way the rest of the controller checks a rollout's gates: evaluate them, count them in the
 * gate metrics, return a report, and keep the latest results for {@code GET /rollouts/{id}/gates}.
 */
@ApplicationScoped
public class GateChecks {

    private final GateEvaluator evaluator;
    private final GateResultStore latest;
    private final GateMetrics metrics;

    public GateChecks(GateEvaluator evaluator, GateResultStore latest, GateMetrics metrics) {
        this.evaluator = evaluator;
        this.latest = latest;
        this.metrics = metrics;
    }

    /** A batch for many checks that share identical monitoring requests (one watch tick). */
    public GateEvaluator.Batch newBatch() {
        return evaluator.newBatch();
    }

    /** Checks the gates now, never from a cache, and keeps the results as the rollout's latest. */
    public GateReport check(UUID rolloutId, List<GateDefinition> gates) {
        GateReport report = checkAsync(rolloutId, gates, evaluator.newBatch()).join();
        keep(rolloutId, report);
        return report;
    }

    /** As {@link #check}, without waiting, so a whole tick's checks are in flight together. */
    public CompletableFuture<GateReport> checkAsync(UUID rolloutId, List<GateDefinition> gates,
            GateEvaluator.Batch batch) {
        if (gates == null || gates.isEmpty()) {
            return CompletableFuture.completedFuture(GateReport.NONE);
        }
        return batch.evaluateAll(gates).thenApply(results -> {
            metrics.record(gates, results);
            return new GateReport(results);
        });
    }

    /**
     * Checks gates shared by {@code rollouts} rollouts (the rollouts of one plan, in one watch tick) once, and
     * answers the one report that stands for each of them; the gate metrics count it once per rollout.
     * Every rollout of a plan would send the very same requests, so evaluating once per plan instead of once
     * per rollout changes no result, and keeps a tick's work (and the results kept per rollout, which then
     * share one list) in proportion to the plans, not the rollouts.
     */
    public CompletableFuture<GateReport> checkShared(List<GateDefinition> gates, int rollouts,
            GateEvaluator.Batch batch) {
        if (gates == null || gates.isEmpty()) {
            return CompletableFuture.completedFuture(GateReport.NONE);
        }
        return batch.evaluateAll(gates).thenApply(results -> {
            metrics.record(gates, results, rollouts);
            return new GateReport(results);
        });
    }

    /** Keeps the report as the rollout's latest results (written to the database only on change). */
    public void keep(UUID rolloutId, GateReport report) {
        if (!report.isEmpty()) {
            latest.record(rolloutId, report.results());
        }
    }

    /** As {@link #keep}, for a whole tick's reports at once (the changed ones written in one batch). */
    public void keepAll(Map<UUID, GateReport> reports) {
        Map<UUID, List<GateResult>> results = new HashMap<>();
        reports.forEach((rolloutId, report) -> {
            if (!report.isEmpty()) {
                results.put(rolloutId, report.results());
            }
        });
        latest.recordAll(results);
    }

    /** Forgets the latest results of rollouts this instance no longer watches. */
    public void retainOnly(Set<UUID> watched) {
        latest.retainOnly(watched);
    }
}
