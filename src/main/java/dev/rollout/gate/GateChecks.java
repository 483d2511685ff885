package dev.rollout.gate;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one way the rest of the controller checks a rollout's gates: evaluate them, keep the latest
 * results for {@code GET /rollouts/{id}/gates}, count them in the gate metrics, and return a report.
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

    /** Checks the gates now, never from a cache. */
    public GateReport check(UUID rolloutId, List<GateDefinition> gates) {
        return check(rolloutId, gates, evaluator.newBatch());
    }

    public GateReport check(UUID rolloutId, List<GateDefinition> gates, GateEvaluator.Batch batch) {
        if (gates == null || gates.isEmpty()) {
            return GateReport.NONE;
        }
        List<GateResult> results = batch.evaluate(gates);
        latest.record(rolloutId, results);
        metrics.record(gates, results);
        return new GateReport(results);
    }
}
