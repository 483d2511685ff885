package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.rollout.clock.RolloutClock;
import dev.rollout.freeze.Freeze;
import dev.rollout.freeze.FreezeRules;
import dev.rollout.freeze.FreezeService;
import dev.rollout.gate.GateChecks;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateReport;
import dev.rollout.gate.GateResponse;
import dev.rollout.history.HistoryEvent;
import dev.rollout.plan.Mode;
import dev.rollout.plan.Plan;
import dev.rollout.plan.PlanCache;
import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.rollout.RolloutChanges.LockMode;
import dev.rollout.rollout.RolloutRepository.Active;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import dev.rollout.rollout.WatchRules.WatchAction;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The controller's own watch. Every tick, on every instance:
 * <ol>
 * <li>renew this instance's heartbeat and learn the live members ({@link WatchMembers});</li>
 * <li>read every active rollout (PROGRESSING and PAUSED) in one query, and keep those this instance
 * owns ({@link Ownership});</li>
 * <li>check their gates through one batch, once per plan (its rollouts share its gates), so each distinct
 * monitoring request is sent once for the whole fleet;</li>
 * <li>decide with {@link WatchRules}; only the rollouts that must change are locked, in batches of
 * {@code rollout.watch.batch-size} through {@link RolloutChanges#changeAll} (one transaction per batch, rows
 * held by someone else skipped and looked at again next tick), each changed only if it is still the version
 * whose gates were checked, the batches on a few threads at once.</li>
 * </ol>
 * A healthy rollout costs no transaction of its own. A tick that overruns the interval is counted and logged,
 * and the tick it made the scheduler skip runs as soon as it ends.
 *
 * <p>Between ticks, {@link #evaluateSoon} runs the same pass at once over the rollouts of some plans only (an
 * Alertmanager notification said their gates may have changed). It takes the same permit as a tick, so it
 * never runs beside one, and waits while the watch is held.
 */
@ApplicationScoped
public class RolloutWatch {

    private static final Logger LOG = Logger.getLogger(RolloutWatch.class);
    /** The actor of every move the controller makes by itself. */
    public static final String ACTOR = "controller";

    /** What one tick did, for tests and logs. */
    public record TickReport(int watched, int violations, int advanced) {
    }

    private record Snapshot(List<Active> active, Map<Long, Plan> plans, Instant now, List<Freeze> freezes) {
    }

    private final RolloutClock clock;
    private final RolloutChanges changes;
    private final RolloutRepository rows;
    private final PlanCache plans;
    private final GateChecks gates;
    private final WatchMembers members;
    private final WatchMetrics metrics;
    private final WatchConfig config;
    private final FreezeService freezes;
    private final ExecutorService actions;
    /** One permit: taken by a scheduled tick, or by whoever holds the watch. */
    private final Semaphore scheduled = new Semaphore(1);
    private final AtomicBoolean held = new AtomicBoolean();
    /** Plans to evaluate out of schedule, waiting for the permit. */
    private final ConcurrentLinkedQueue<Predicate<Plan>> soon = new ConcurrentLinkedQueue<>();
    private final ExecutorService soonRunner;

    public RolloutWatch(RolloutClock clock, RolloutChanges changes, RolloutRepository rows, PlanCache plans,
            GateChecks gates, WatchMembers members, WatchMetrics metrics, WatchConfig config, FreezeService freezes) {
        this.freezes = freezes;
        this.clock = clock;
        this.changes = changes;
        this.rows = rows;
        this.plans = plans;
        this.gates = gates;
        this.members = members;
        this.metrics = metrics;
        this.config = config;
        AtomicInteger thread = new AtomicInteger();
        this.actions = Executors.newFixedThreadPool(config.actionThreads(), task -> {
            Thread t = new Thread(task, "rollout-watch-action-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.soonRunner = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "rollout-watch-soon");
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        soonRunner.shutdownNow();
        actions.shutdownNow();
    }

    /** The scheduler's entry: a tick, unless the watch is held. */
    void scheduledTick() {
        if (!scheduled.tryAcquire()) {
            return;
        }
        try {
            // A tick that overran its interval made the scheduler skip the next one: run it at once instead
            // of waiting for the next slot, so no rollout waits a whole interval more than it must.
            long started;
            do {
                started = System.nanoTime();
                tick();
            } while (System.nanoTime() - started > config.evaluationInterval().toNanos() && !held.get());
            evaluateRequested();
        } finally {
            scheduled.release();
        }
        runRequestedSoon();
    }

    /**
     * Evaluates, as soon as the permit is free (at once unless a tick is running or the watch is held), the
     * rollouts this instance owns whose plan {@code affected} selects. Requests made meanwhile are served by
     * one pass.
     */
    public void evaluateSoon(Predicate<Plan> affected) {
        soon.add(affected);
        runRequestedSoon();
    }

    private void runRequestedSoon() {
        if (!soon.isEmpty()) {
            soonRunner.execute(() -> {
                // whoever holds the permit when a request arrives serves it before releasing (see scheduledTick)
                while (!soon.isEmpty() && scheduled.tryAcquire()) {
                    try {
                        evaluateRequested();
                    } finally {
                        scheduled.release();
                    }
                }
            });
        }
    }

    /** Runs one pass for every request waiting; the caller holds the permit. */
    private void evaluateRequested() {
        List<Predicate<Plan>> requested = new ArrayList<>();
        for (Predicate<Plan> next = soon.poll(); next != null; next = soon.poll()) {
            requested.add(next);
        }
        if (!requested.isEmpty()) {
            pass(plan -> requested.stream().anyMatch(selects -> selects.test(plan)), false);
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
            runRequestedSoon();
        }
    }

    /** One pass over the active rollouts this instance owns, now. */
    public TickReport tick() {
        return pass(plan -> true, true);
    }

    /**
     * One pass over the active rollouts this instance owns whose plan {@code selected} selects: a tick
     * ({@code whole}: every plan; its metrics and the kept gate results cover the whole share), or an
     * evaluation out of schedule.
     */
    private TickReport pass(Predicate<Plan> selected, boolean whole) {
        long started = System.nanoTime();
        List<String> live;
        Snapshot snapshot;
        try {
            live = members.heartbeat(config.lease());
            snapshot = QuarkusTransaction.requiringNew().call(() -> {
                Instant now = clock.now();
                List<Active> active = rows.active(now);
                Map<Long, Plan> byId = plans.get(active.stream().map(Active::planId).distinct().toList());
                return new Snapshot(active, byId, now, freezes.notEnded(now));
            });
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the active rollouts, retrying next tick: %s", e.toString());
            return new TickReport(0, 0, 0);
        }
        long read = System.nanoTime();
        String me = members.memberId();
        List<Active> owned = snapshot.active().stream().filter(r -> Ownership.owns(me, live, r.id()))
                .filter(r -> whole || selected.test(snapshot.plans().get(r.planId()))).toList();

        GateEvaluator.Batch batch = gates.newBatch();
        // The rollouts of one plan share its gates: one check per plan stands for all of them. Each plan's
        // rollouts are decided (and those that must change, changed) as soon as that plan's results are in: a
        // slow query holds up only the rollouts whose gates asked for it, never a violation elsewhere.
        Map<Long, List<Active>> byPlan = new LinkedHashMap<>();
        owned.forEach(rollout -> byPlan.computeIfAbsent(rollout.planId(), id -> new ArrayList<>()).add(rollout));
        Map<UUID, GateReport> reports = new ConcurrentHashMap<>();
        AtomicInteger changing = new AtomicInteger();
        List<CompletableFuture<List<WatchAction>>> acting = new ArrayList<>();
        byPlan.forEach((planId, rollouts) -> {
            Plan plan = snapshot.plans().get(planId);
            acting.add(gates.checkShared(plan.gates, rollouts.size(), batch)
                    .thenCompose(report -> actOnPlan(plan, rollouts, report, reports, changing, snapshot))
                    .exceptionally(error -> {
                        LOG.warnf("watching the rollouts of plan %d failed, retrying next tick: %s", planId,
                                error.toString());
                        return List.of();
                    }));
        });
        int violations = 0;
        int advanced = 0;
        for (CompletableFuture<List<WatchAction>> done : acting) {
            for (WatchAction action : done.join()) { // every request is bounded by its timeouts
                if (action == WatchAction.APPLY_POLICY || action == WatchAction.RECORD_VIOLATION) {
                    violations++;
                } else if (action == WatchAction.MOVE) {
                    advanced++;
                }
            }
        }
        long acted = System.nanoTime();
        // The latest results, written (only where a status changed) in one batch once the changes are done:
        // a first write of a rollout's result takes a key-share lock on its row (the foreign key), which
        // would make a change running at the same moment skip that rollout until the next tick.
        try {
            gates.keepAll(reports);
        } catch (RuntimeException e) {
            LOG.warnf("cannot keep the latest gate results, writing them next tick: %s", e.toString());
        }
        if (!whole) {
            metrics.evaluatedSoon(started, owned.size());
            return new TickReport(owned.size(), violations, advanced);
        }
        gates.retainOnly(reports.keySet());
        if (metrics.completed(started, config.evaluationInterval(), owned.size(), live.size(), batch.requestsSent())) {
            long end = System.nanoTime();
            LOG.warnf("watch tick overran its interval of %s: %d ms for %d rollouts (%d gate requests, %d changed; "
                    + "read %d ms, gates, decisions and changes %d ms, gate results %d ms); the next tick "
                    + "runs at once", config.evaluationInterval(), (end - started) / 1_000_000, owned.size(),
                    batch.requestsSent(), changing.get(), (read - started) / 1_000_000, (acted - read) / 1_000_000,
                    (end - acted) / 1_000_000);
        }
        return new TickReport(owned.size(), violations, advanced);
    }

    /**
     * Decides for the rollouts of one plan from their shared report; those that must change are changed in
     * batches of a few hundred, each batch one transaction on an action thread.
     */
    private CompletableFuture<List<WatchAction>> actOnPlan(Plan plan, List<Active> rollouts, GateReport report,
            Map<UUID, GateReport> reports, AtomicInteger changing, Snapshot snapshot) {
        List<Active> toChange = new ArrayList<>();
        GateResponse response = response(plan, report);
        boolean shadowFailing = !report.shadowFailing().isEmpty();
        for (Active rollout : rollouts) {
            reports.put(rollout.id(), report);
            // Held by a freeze or outside the plan's windows: not due, so it costs no transaction this tick.
            boolean due = rollout.due() && !held(plan, rollout.stepIndex(), rollout.target(), snapshot.freezes(),
                    snapshot.now());
            WatchAction action = WatchRules.decide(rollout.state(), response, rollout.violationOpen(),
                    rollout.holdOpen(), mayMoveItself(plan, rollout.stepIndex(), rollout.stepCount()), due,
                    rollout.awaitsApproval(plan));
            WatchAction shadow = WatchRules.shadow(rollout.state(), shadowFailing, rollout.shadowOpen());
            if (action != WatchAction.NONE || shadow != WatchAction.NONE) {
                toChange.add(rollout);
            }
        }
        changing.addAndGet(toChange.size());
        List<CompletableFuture<List<WatchAction>>> batches = new ArrayList<>();
        for (int from = 0; from < toChange.size(); from += config.batchSize()) {
            List<Active> batchOf = List.copyOf(toChange.subList(from, Math.min(toChange.size(), from + config.batchSize())));
            batches.add(CompletableFuture.supplyAsync(() -> actAll(batchOf, reports), actions));
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                .thenApply(all -> batches.stream().flatMap(done -> done.join().stream()).toList());
    }

    /** What the plan's enforced gates ask for, given this report (see {@link GateReport#response}). */
    static GateResponse response(Plan plan, GateReport report) {
        return report.response(plan.gates, GateResponse.valueOf(plan.onViolation.name()));
    }

    /** Whether a freeze or the plan's advance windows hold a move of this rollout at {@code now}. */
    private static boolean held(Plan plan, int stepIndex, String target, List<Freeze> freezes, Instant now) {
        RolloutRules.Holds holds = new RolloutRules.Holds(FreezeRules.cover(freezes, target, now), plan.windows());
        return RolloutRules.frozen(holds, now).isPresent()
                || RolloutRules.outsideWindow(stepIndex, plan.schedule(), holds, now).isPresent();
    }

    private static boolean mayMoveItself(Plan plan, int stepIndex, int stepCount) {
        return plan.mode == Mode.AUTOMATIC || stepIndex == stepCount - 1;
    }

    /**
     * Changes a batch of rollouts as decided, in one transaction ({@link RolloutChanges#changeAll}): each only
     * if it is still the version seen, and only those nobody else holds; the others are looked at again next
     * tick. If the batch fails as a whole, its rollouts are changed one by one, so one rollout that cannot
     * be changed never holds up the others.
     */
    private List<WatchAction> actAll(List<Active> seen, Map<UUID, GateReport> reports) {
        Map<UUID, Long> versions = new LinkedHashMap<>();
        seen.forEach(rollout -> versions.put(rollout.id(), rollout.rowVersion()));
        Map<UUID, WatchAction> done;
        // The freezes as of the batch's own clock reading, read once per batch and only if a move is decided.
        Map<Instant, List<Freeze>> inForce = new HashMap<>();
        try {
            done = changes.changeAll(versions, locked -> decideLocked(locked, reports.get(locked.rollout().id),
                    inForce));
        } catch (RuntimeException e) {
            LOG.warnf("changing %d rollouts in one batch failed, changing them one by one: %s", seen.size(),
                    e.toString());
            return seen.stream().map(rollout -> act(rollout, reports.get(rollout.id()))).toList();
        }
        List<WatchAction> actions = new ArrayList<>(done.size());
        for (WatchAction action : done.values()) {
            if (action != WatchAction.NONE) {
                metrics.acted(action);
                actions.add(action);
            }
        }
        return actions;
    }

    /** Changes one rollout as decided, if it is still the version seen and nobody else holds it. */
    private WatchAction act(Active seen, GateReport report) {
        try {
            WatchAction done = changes.change(seen.id(), LockMode.SKIP_IF_LOCKED, seen.rowVersion(),
                    locked -> decideLocked(locked, report, new HashMap<>())).orElse(WatchAction.NONE);
            if (done != WatchAction.NONE) {
                metrics.acted(done);
            }
            return done;
        } catch (RuntimeException e) {
            LOG.warnf("watching rollout %s failed, retrying next tick: %s", seen.id(), e.toString());
            return WatchAction.NONE;
        }
    }

    private Decided<WatchAction> decideLocked(RolloutChanges.Locked locked, GateReport report,
            Map<Instant, List<Freeze>> inForce) {
        if (locked.changedSinceSeen()) {
            return Decided.nothing(WatchAction.NONE); // changed after these results were taken; look again next tick
        }
        Rollout rollout = locked.rollout();
        Instant now = locked.now();
        String instance = config.instanceName();
        GateResponse response = response(rollout.plan, report);
        List<HistoryEvent> events = new ArrayList<>(3);
        // The shadow gates first: their record comes before whatever the enforced gates make happen.
        WatchAction shadow = WatchRules.shadow(rollout.state, !report.shadowFailing().isEmpty(), rollout.shadowOpen);
        if (shadow == WatchAction.RECORD_SHADOW) {
            events.add(rollout.recordShadow(report, now, ACTOR, instance));
        } else if (shadow == WatchAction.CLOSE_SHADOW) {
            rollout.closeShadow(now);
        }
        WatchAction action = WatchRules.decide(rollout.state, response, rollout.violationOpen,
                rollout.holdStartedAt != null, rollout.mayMoveItself(), !now.isBefore(rollout.earliestAdvanceAt),
                rollout.awaitsApproval());
        switch (action) {
            case APPLY_POLICY:
                events.addAll(rollout.violate(report, response, now, ACTOR, instance));
                break;
            case RECORD_VIOLATION:
                events.add(rollout.recordViolation(report, response, now, ACTOR, instance));
                break;
            case CLOSE_VIOLATION:
                rollout.closeViolation(now);
                break;
            case START_HOLD:
                events.add(rollout.startHold(report, now, ACTOR, instance));
                break;
            case END_HOLD:
                events.add(rollout.endHold(report, now, ACTOR, instance));
                break;
            case MOVE:
                // Freezes read again under the lock: one set a moment ago holds this move too.
                List<Freeze> freezesNow = inForce.computeIfAbsent(now, freezes::notEnded);
                AdvanceDecision decision = rollout.decideAdvance(now,
                        new RolloutRules.Holds(FreezeRules.cover(freezesNow, rollout.target, now), dev.rollout.plan.AdvanceWindows.ALWAYS), false);
                if (decision instanceof RolloutRules.Enter || decision instanceof RolloutRules.Complete) {
                    events.addAll(rollout.advance(decision, now, ACTOR, report, false, instance));
                } else {
                    action = WatchAction.NONE;
                }
                break;
            default:
                break;
        }
        return new Decided<>(events, action != WatchAction.NONE ? action : shadow);
    }
}
