package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.rollout.clock.RolloutClock;
import dev.rollout.gate.GateChecks;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateReport;
import dev.rollout.plan.Mode;
import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.rollout.RolloutChanges.LockMode;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The controller's own watch, one tick every evaluation interval: checks the gates of every
 * PROGRESSING rollout (identical monitoring requests shared across rollouts), applies the violation
 * policy at once when a gate does not pass, advances AUTOMATIC rollouts whose dwell is over, and
 * completes rollouts whose final bake is over. Each action goes through {@link RolloutChanges} with
 * {@link LockMode#SKIP_IF_LOCKED} and only if the rollout is still the version whose gates were
 * checked, so several instances never act on one rollout and no action rests on a stale look.
 */
@ApplicationScoped
public class RolloutWatch {

    private static final Logger LOG = Logger.getLogger(RolloutWatch.class);
    /** The actor of every move the controller makes by itself. */
    public static final String ACTOR = "controller";
    private static final int BATCH = 500;

    /** What a tick saw of one rollout before checking its gates. */
    record Watched(UUID id, long rowVersion, List<GateDefinition> gates, boolean mayMoveItself, boolean due) {

        /** A rollout without gates needs the lock only when it is due to move by itself. */
        boolean needsAction() {
            return !gates.isEmpty() || (mayMoveItself && due);
        }
    }

    /** What one tick did, for tests and logs. */
    public record TickReport(int watched, int violations, int advanced) {
    }

    private enum Action { NONE, VIOLATION, ADVANCED }

    private final RolloutClock clock;
    private final RolloutChanges changes;
    private final GateChecks gates;
    private final WatchConfig config;
    /** One permit: taken by a scheduled tick, or by whoever holds the watch. */
    private final Semaphore scheduled = new Semaphore(1);
    private final AtomicBoolean held = new AtomicBoolean();

    public RolloutWatch(RolloutClock clock, RolloutChanges changes, GateChecks gates, WatchConfig config) {
        this.clock = clock;
        this.changes = changes;
        this.gates = gates;
        this.config = config;
    }

    /** The scheduler's entry: a tick, unless the watch is held. */
    void scheduledTick() {
        if (!scheduled.tryAcquire()) {
            return;
        }
        try {
            tick();
        } finally {
            scheduled.release();
        }
    }

    /**
     * Holds the scheduled watch: waits for a scheduled tick in progress to finish, then none runs until
     * {@link #release()}. Whoever holds it owns the moment (tests, to never race the controller); ticks
     * run explicitly through {@link #tick()} still happen. Holding a held watch does nothing.
     */
    public void hold() {
        if (held.compareAndSet(false, true)) {
            scheduled.acquireUninterruptibly();
        }
    }

    /** Lets scheduled ticks run again; does nothing when the watch is not held. */
    public void release() {
        if (held.compareAndSet(true, false)) {
            scheduled.release();
        }
    }

    /** One pass over the active rollouts, now. */
    public TickReport tick() {
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
                GateReport report = gates.check(rollout.id(), rollout.gates(), batch);
                Action action = changes.change(rollout.id(), LockMode.SKIP_IF_LOCKED, rollout.rowVersion(),
                        locked -> act(locked, report)).orElse(Action.NONE);
                if (action == Action.VIOLATION) {
                    violations++;
                } else if (action == Action.ADVANCED) {
                    advanced++;
                }
            } catch (RuntimeException e) {
                LOG.warnf("watching rollout %s failed, retrying next tick: %s", rollout.id(), e.toString());
            }
        }
        return new TickReport(watched.size(), violations, advanced);
    }

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

    private Decided<Action> act(RolloutChanges.Locked locked, GateReport report) {
        Rollout rollout = locked.rollout();
        if (locked.changedSinceSeen() || rollout.state != RolloutState.PROGRESSING) {
            return Decided.nothing(Action.NONE); // changed after these results were taken; the next tick looks again
        }
        String instance = config.instanceName();
        if (!report.passed()) {
            return new Decided<>(rollout.violate(report, locked.now(), ACTOR, instance), Action.VIOLATION);
        }
        if (!mayMoveItself(rollout)) {
            return Decided.nothing(Action.NONE);
        }
        AdvanceDecision decision = rollout.decideAdvance(locked.now(), false);
        if (decision instanceof RolloutRules.Enter || decision instanceof RolloutRules.Complete) {
            return new Decided<>(rollout.advance(decision, locked.now(), ACTOR, report, false, instance),
                    Action.ADVANCED);
        }
        return Decided.nothing(Action.NONE);
    }
}
