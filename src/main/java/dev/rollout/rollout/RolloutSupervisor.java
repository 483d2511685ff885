package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.rollout.clock.RolloutClock;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateMetrics;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateResultStore;
import dev.rollout.plan.Mode;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The controller's own watch, run on every tick: evaluates the gates of every PROGRESSING rollout
 * (identical requests shared across rollouts), applies the violation policy at once when a gate does
 * not pass, advances AUTOMATIC rollouts whose dwell is over, and completes rollouts whose final bake
 * is over. Each action claims the rollout with FOR UPDATE SKIP LOCKED and goes ahead only if the
 * rollout is still as it was when evaluated, so several instances never act on one rollout.
 */
@ApplicationScoped
public class RolloutSupervisor {

    private static final Logger LOG = Logger.getLogger(RolloutSupervisor.class);
    static final String ACTOR = "controller";
    private static final int BATCH = 500;

    /** What a tick saw of one rollout before evaluating its gates. */
    record Watched(UUID id, long rowVersion, List<GateDefinition> gates, boolean mayMoveItself, boolean due) {

        /** A rollout without gates needs the lock only when it is due to move by itself. */
        boolean needsAction() {
            return !gates.isEmpty() || (mayMoveItself && due);
        }
    }

    /** What one pass did, for tests and logs. */
    public record TickReport(int evaluated, int violations, int advanced) {
    }

    private final RolloutClock clock;
    private final RolloutService rollouts;
    private final GateEvaluator gates;
    private final GateResultStore gateResults;
    private final ControllerConfig config;
    private final GateMetrics gateMetrics;

    public RolloutSupervisor(RolloutClock clock, RolloutService rollouts, GateEvaluator gates,
            GateResultStore gateResults, ControllerConfig config, GateMetrics gateMetrics) {
        this.gateMetrics = gateMetrics;
        this.clock = clock;
        this.rollouts = rollouts;
        this.gates = gates;
        this.gateResults = gateResults;
        this.config = config;
    }

    public TickReport runOnce() {
        List<Watched> watched;
        try {
            watched = QuarkusTransaction.requiringNew().call(this::progressing);
        } catch (RuntimeException e) {
            LOG.warnf("cannot list active rollouts, retrying next tick: %s", e.toString());
            return new TickReport(0, 0, 0);
        }
        GateEvaluator.Batch batch = gates.newBatch();
        int violations = 0;
        int advanced = 0;
        for (Watched rollout : watched) {
            if (!rollout.needsAction()) {
                continue;
            }
            try {
                List<GateResult> results = rollout.gates().isEmpty() ? List.of() : batch.evaluate(rollout.gates());
                if (!results.isEmpty()) {
                    gateResults.record(rollout.id(), results);
                    gateMetrics.record(rollout.gates(), results);
                }
                Outcome outcome = QuarkusTransaction.requiringNew().call(() -> act(rollout, results));
                if (outcome == Outcome.VIOLATION) {
                    violations++;
                } else if (outcome == Outcome.ADVANCED) {
                    advanced++;
                }
            } catch (RuntimeException e) {
                LOG.warnf("supervising rollout %s failed, retrying next tick: %s", rollout.id(), e.toString());
            }
        }
        return new TickReport(watched.size(), violations, advanced);
    }

    private enum Outcome { NOTHING, VIOLATION, ADVANCED }

    private List<Watched> progressing() {
        List<Rollout> found = Rollout.find("state = ?1 order by earliestAdvanceAt", RolloutState.PROGRESSING)
                .page(0, BATCH).list();
        Instant now = clock.now();
        List<Watched> watched = new ArrayList<>(found.size());
        for (Rollout r : found) {
            watched.add(new Watched(r.id, r.rowVersion, r.plan.gates == null ? List.of() : r.plan.gates,
                    mayMoveItself(r), !now.isBefore(r.earliestAdvanceAt)));
        }
        return watched;
    }

    /** AUTOMATIC rollouts advance by themselves; any rollout completes by itself once its final bake is over. */
    private static boolean mayMoveItself(Rollout rollout) {
        return rollout.plan.mode == Mode.AUTOMATIC || rollout.stepIndex == rollout.stepCount - 1;
    }

    private Outcome act(Watched seen, List<GateResult> results) {
        Optional<Rollout> claimed = rollouts.tryLock(seen.id());
        if (claimed.isEmpty()) {
            return Outcome.NOTHING; // another instance or a caller is acting on it right now
        }
        Rollout rollout = claimed.get();
        if (rollout.rowVersion != seen.rowVersion() || rollout.state != RolloutState.PROGRESSING) {
            return Outcome.NOTHING; // it changed after these results were taken; the next tick looks again
        }
        Instant now = clock.now();
        Map<String, Object> details = Map.of("instance", config.instanceName());
        if (!GateResult.allPassed(results)) {
            rollouts.violate(rollout, results, now, ACTOR, details);
            return Outcome.VIOLATION;
        }
        if (!mayMoveItself(rollout)) {
            return Outcome.NOTHING;
        }
        AdvanceDecision decision = RolloutService.decide(rollout, now);
        if (decision instanceof RolloutRules.Enter || decision instanceof RolloutRules.Complete) {
            Map<String, Object> withGates = results.isEmpty() ? details
                    : Map.of("instance", config.instanceName(), "gates", results.stream().map(RolloutService::describe).toList());
            rollouts.apply(rollout, decision, now, ACTOR, withGates);
            return Outcome.ADVANCED;
        }
        return Outcome.NOTHING;
    }
}
