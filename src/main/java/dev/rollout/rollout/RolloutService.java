package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.clock.RolloutClock;
import dev.rollout.history.Action;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateMetrics;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateResultStore;
import dev.rollout.history.History;
import dev.rollout.plan.Plan;
import dev.rollout.plan.PlanService;
import dev.rollout.plan.StepSchedule;
import dev.rollout.plan.ViolationPolicy;
import dev.rollout.problem.ApiProblem;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import dev.rollout.rollout.RolloutRules.Command;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Every change to a rollout: each runs in its own transaction, holds the rollout's row lock, reads the
 * database clock after taking the lock, and writes the history event in the same transaction.
 */
@ApplicationScoped
public class RolloutService {

    private final EntityManager em;
    private final RolloutClock clock;
    private final PlanService plans;
    private final History history;
    private final IdempotencyStore idempotency;
    private final ObjectMapper json;
    private final GateEvaluator gateEvaluator;
    private final GateResultStore gateResults;
    private final GateMetrics gateMetrics;
    private final MeterRegistry meters;

    public RolloutService(EntityManager em, RolloutClock clock, PlanService plans, History history,
            IdempotencyStore idempotency, ObjectMapper json, GateEvaluator gateEvaluator, GateResultStore gateResults,
            GateMetrics gateMetrics, MeterRegistry meters) {
        this.em = em;
        this.clock = clock;
        this.gateEvaluator = gateEvaluator;
        this.gateResults = gateResults;
        this.gateMetrics = gateMetrics;
        this.meters = meters;
        this.plans = plans;
        this.history = history;
        this.idempotency = idempotency;
        this.json = json;
    }

    /** A call's answer: the rollout as it now is, or the first answer replayed for a repeated Idempotency-Key. */
    public record Outcome(RolloutView rollout, IdempotencyStore.Replay replay) {
        static Outcome fresh(RolloutView rollout) {
            return new Outcome(rollout, null);
        }
    }

    // ---- reads ------------------------------------------------------------------------------------

    public Rollout get(UUID id) {
        Rollout rollout = em.find(Rollout.class, id);
        if (rollout == null) {
            throw ApiProblem.notFound("rollout", id.toString());
        }
        return rollout;
    }

    public List<Rollout> list(RolloutState state, int limit) {
        return state == null
                ? Rollout.find("order by startedAt desc").page(0, limit).list()
                : Rollout.find("state = ?1 order by startedAt desc", state).page(0, limit).list();
    }

    // ---- start ------------------------------------------------------------------------------------

    public Outcome start(StartRequest request, String actor, String idempotencyKey) {
        List<String> problems = request == null ? List.of("body: plan, target and version are required")
                : request.problems();
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        IdempotencyStore.validate(idempotencyKey);
        return QuarkusTransaction.requiringNew().call(() -> {
            if (idempotencyKey != null) {
                Optional<IdempotencyStore.Replay> replay =
                        idempotency.claim("start", idempotencyKey, request.fingerprint());
                if (replay.isPresent()) {
                    return new Outcome(null, replay.get());
                }
            }
            Plan plan = plans.find(request.plan(), request.planVersion()).orElseThrow(() -> ApiProblem.notFound("plan",
                    request.planVersion() == null ? request.plan() : request.plan() + " version " + request.planVersion()));
            Optional<Rollout> active = Rollout.find("target = ?1 and state in ?2", request.target(),
                    List.of(RolloutState.PROGRESSING, RolloutState.PAUSED)).firstResultOptional();
            if (active.isPresent()) {
                throw targetBusy(request.target(), active.get().id);
            }
            Instant now = clock.now();
            Rollout rollout = new Rollout();
            rollout.id = UUID.randomUUID();
            rollout.plan = plan;
            rollout.target = request.target();
            rollout.version = request.version();
            rollout.state = RolloutState.PROGRESSING;
            rollout.stepIndex = -1;
            rollout.stepCount = plan.steps.size();
            rollout.currentPercentage = 0;
            rollout.stepEnteredAt = now;
            rollout.dwellStartedAt = now;
            rollout.earliestAdvanceAt = now;
            rollout.startedAt = now;
            rollout.updatedAt = now;
            try {
                rollout.persistAndFlush();
            } catch (PersistenceException e) {
                // Two starts for one target raced; the partial unique index let only one through.
                throw targetBusy(request.target(), null);
            }
            history.append(rollout.id, now, Action.STARTED, null, 0.0, actor, null,
                    Map.of("plan", plan.name, "planVersion", plan.version, "version", rollout.version));
            RolloutView view = RolloutView.of(rollout);
            if (idempotencyKey != null) {
                idempotency.complete("start", idempotencyKey, 201, toJson(view), location(rollout.id));
            }
            return Outcome.fresh(view);
        });
    }

    private static ApiProblem targetBusy(String target, UUID activeId) {
        ApiProblem problem = ApiProblem.conflict("active-rollout-exists", "Target has an active rollout",
                "target '" + target + "' already has an active rollout; finish, roll back or abort it first");
        return activeId == null ? problem : problem.with("activeRolloutId", activeId);
    }

    public static String location(UUID id) {
        return "/api/v1/rollouts/" + id;
    }

    // ---- advance ----------------------------------------------------------------------------------

    /**
     * Moves the rollout one step if the time rule allows it and every gate passes. A refusal changes
     * nothing, is recorded in the history in a transaction of its own, and is thrown to the caller.
     * Gates are evaluated between a first look and the locked change, so no lock is held while
     * monitoring answers; the locked change only goes ahead if the rollout is still as first seen.
     * <p>A non-null {@code overrideReason} is an admin's audited override: the move happens even
     * if the dwell is not over or gates fail, and an {@code override} event naming who, why and what was
     * set aside is recorded before the step. The caller has checked the role.
     */
    public Outcome advance(UUID id, String actor, String idempotencyKey, String overrideReason) {
        IdempotencyStore.validate(idempotencyKey);
        String scope = "advance:" + id;
        // The fingerprint covers the body: one key cannot be replayed for a different kind of advance.
        String fingerprint = overrideReason == null ? scope : scope + "|override|" + overrideReason;
        try {
            FirstLook seen = QuarkusTransaction.requiringNew().call(() -> {
                if (idempotencyKey != null) {
                    Optional<IdempotencyStore.Replay> replay = idempotency.answered(scope, idempotencyKey, fingerprint);
                    if (replay.isPresent()) {
                        return new FirstLook(0, List.of(), replay.get());
                    }
                }
                Rollout rollout = get(id);
                Instant now = clock.now();
                refuseUnlessAdvancing(rollout, decide(rollout, now, overrideReason != null), actor, now);
                return new FirstLook(rollout.rowVersion, rollout.plan.gates, null);
            });
            if (seen.replay() != null) {
                return new Outcome(null, seen.replay());
            }
            List<GateResult> results = evaluateGates(id, seen.gates());
            return QuarkusTransaction.requiringNew().call(() -> {
                if (idempotencyKey != null) {
                    Optional<IdempotencyStore.Replay> replay = idempotency.claim(scope, idempotencyKey, fingerprint);
                    if (replay.isPresent()) {
                        return new Outcome(null, replay.get());
                    }
                }
                Rollout rollout = lock(id);
                Instant now = clock.now();
                if (rollout.rowVersion != seen.rowVersion()) {
                    // Another change committed since this call looked: it was made against a state that
                    // no longer exists, so it must not move the rollout again.
                    throw new AdvanceRefused(rollout, actor, now, new ApiProblem(409, "concurrent-change", "Rollout changed",
                            "the rollout changed while this request was being evaluated; read it and ask again"));
                }
                if (!GateResult.allPassed(results) && overrideReason == null) {
                    throw new AdvanceRefused(rollout, actor, now, gatesFailing(results));
                }
                AdvanceDecision plain = decide(rollout, now);
                AdvanceDecision decision = overrideReason == null ? plain : decide(rollout, now, true);
                refuseUnlessAdvancing(rollout, decision, actor, now);
                Map<String, Object> details = new LinkedHashMap<>();
                if (overrideReason != null) {
                    recordOverride(rollout, plain, decision, results, now, actor, overrideReason);
                    details.put("override", true);
                }
                if (!results.isEmpty()) {
                    details.put("gates", summary(results));
                }
                apply(rollout, decision, now, actor, details);
                RolloutView view = RolloutView.of(rollout);
                if (idempotencyKey != null) {
                    idempotency.complete(scope, idempotencyKey, 200, toJson(view), null);
                }
                return Outcome.fresh(view);
            });
        } catch (AdvanceRefused refused) {
            recordRefusal(refused);
            throw refused.problem();
        }
    }

    private record FirstLook(long rowVersion, List<GateDefinition> gates, IdempotencyStore.Replay replay) {
    }

    /** Refusals carry the clock reading they were decided with, so the history shows when that was. */
    private void refuseUnlessAdvancing(Rollout rollout, AdvanceDecision decision, String actor, Instant now) {
        if (decision instanceof RolloutRules.TooEarly tooEarly) {
            throw new AdvanceRefused(rollout, actor, now, tooEarly(rollout, tooEarly));
        }
        if (decision instanceof RolloutRules.NotProgressing np) {
            throw new AdvanceRefused(rollout, actor, now, ApiProblem.conflict("not-progressing",
                    "Rollout is not progressing",
                    "the rollout is " + np.state() + "; only a PROGRESSING rollout can advance")
                    .with("state", np.state()));
        }
    }

    /** Evaluates the gates now (never from a cache) and keeps the results for GET /gates. */
    List<GateResult> evaluateGates(UUID id, List<GateDefinition> gates) {
        if (gates == null || gates.isEmpty()) {
            return List.of();
        }
        List<GateResult> results = gateEvaluator.evaluate(gates);
        gateResults.record(id, results);
        gateMetrics.record(gates, results);
        return results;
    }

    private static ApiProblem gatesFailing(List<GateResult> results) {
        List<String> failing = results.stream().filter(r -> !r.passed()).map(GateResult::name).toList();
        return ApiProblem.conflict("gates-failing", "Gates failing",
                "gates not passing: " + String.join(", ", failing) + "; nothing was changed")
                .with("gates", results.stream().map(RolloutService::describe).toList());
    }

    static Map<String, Object> describe(GateResult result) {
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("name", result.name());
        gate.put("kind", result.kind().jsonName());
        gate.put("status", result.status().name());
        gate.put("detail", result.detail());
        gate.put("evaluatedAt", result.evaluatedAt().toString());
        return gate;
    }

    private static List<Map<String, Object>> summary(List<GateResult> results) {
        return results.stream().map(RolloutService::describe).toList();
    }

    /**
     * Applies the plan's violation policy under the caller's lock: PAUSE keeps the percentage,
     * ROLLBACK returns to 0 %. Either way the clean dwell window is over; a resume starts a new one.
     */
    void violate(Rollout rollout, List<GateResult> results, Instant now, String actor, Map<String, Object> details) {
        double from = rollout.currentPercentage;
        ViolationPolicy policy = rollout.plan.onViolation;
        List<String> failing = results.stream().filter(r -> !r.passed()).map(r -> r.name() + " " + r.status()).toList();
        String reason = "gate violation: " + String.join(", ", failing);
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("policy", policy.name());
        all.put("gates", summary(results));
        boolean rollback = policy == ViolationPolicy.ROLLBACK;
        history.append(rollout.id, now, Action.GATE_VIOLATION, from, rollback ? 0.0 : from, actor, reason, all);
        if (rollback) {
            rollBack(rollout, now);
            history.append(rollout.id, now, Action.ROLLED_BACK, from, 0.0, actor, reason, Map.of("policy", policy.name()));
        } else {
            rollout.state = RolloutState.PAUSED;
            history.append(rollout.id, now, Action.PAUSED, from, from, actor, reason, Map.of("policy", policy.name()));
        }
        rollout.updatedAt = now;
    }

    static AdvanceDecision decide(Rollout rollout, Instant now) {
        return decide(rollout, now, false);
    }

    static AdvanceDecision decide(Rollout rollout, Instant now, boolean overrideDwell) {
        return RolloutRules.advance(rollout.state, rollout.stepIndex, rollout.dwellStartedAt, rollout.plan.schedule(),
                now, overrideDwell);
    }

    /**
     * The audit record of an override: who, why, and which rules it set aside ({@code bypassed}: "dwell",
     * "gates"; empty when nothing stood in the way). Written in the transaction of the move, before its step.
     */
    private void recordOverride(Rollout rollout, AdvanceDecision plain, AdvanceDecision decision,
            List<GateResult> results, Instant now, String actor, String reason) {
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> bypassed = new ArrayList<>();
        if (plain instanceof RolloutRules.TooEarly tooEarly) {
            bypassed.add("dwell");
            details.put("earliestAdvanceAt", tooEarly.earliestAdvanceAt().toString());
            details.put("remainingSeconds", tooEarly.remaining().toSeconds());
        }
        if (!GateResult.allPassed(results)) {
            bypassed.add("gates");
            details.put("gates", summary(results));
        }
        details.put("bypassed", bypassed);
        double to = decision instanceof RolloutRules.Enter enter ? enter.percentage() : rollout.currentPercentage;
        history.append(rollout.id, now, Action.OVERRIDE, rollout.currentPercentage, to, actor, reason, details);
        meters.counter("rollout.overrides", "bypassed", bypassed.isEmpty() ? "none" : String.join("+", bypassed))
                .increment();
    }

    /** Applies an Enter or Complete decision under the caller's lock and records it. */
    void apply(Rollout rollout, AdvanceDecision decision, Instant now, String actor, Map<String, Object> details) {
        double from = rollout.currentPercentage;
        if (decision instanceof RolloutRules.Enter enter) {
            rollout.stepIndex = enter.stepIndex();
            rollout.currentPercentage = enter.percentage();
            rollout.stepEnteredAt = now;
            rollout.dwellStartedAt = now;
            rollout.earliestAdvanceAt = enter.earliestAdvanceAt();
            rollout.updatedAt = now;
            history.append(rollout.id, now, Action.STEP, from, enter.percentage(), actor, null,
                    withStep(details, rollout, enter.earliestAdvanceAt()));
            if (enter.completes()) {
                complete(rollout, now, actor, details);
            }
        } else if (decision instanceof RolloutRules.Complete) {
            complete(rollout, now, actor, details);
        } else {
            throw new IllegalArgumentException("not an advancing decision: " + decision);
        }
    }

    private void complete(Rollout rollout, Instant now, String actor, Map<String, Object> details) {
        rollout.state = RolloutState.COMPLETED;
        rollout.finishedAt = now;
        rollout.updatedAt = now;
        history.append(rollout.id, now, Action.COMPLETED, rollout.currentPercentage, rollout.currentPercentage, actor,
                null, details);
    }

    private static Map<String, Object> withStep(Map<String, Object> details, Rollout rollout, Instant earliest) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("stepIndex", rollout.stepIndex);
        all.put("earliestAdvanceAt", earliest.toString());
        return all;
    }

    private static ApiProblem tooEarly(Rollout rollout, RolloutRules.TooEarly tooEarly) {
        long seconds = Math.max(1, (tooEarly.remaining().toMillis() + 999) / 1000);
        return ApiProblem.conflict("too-early", "Too early",
                "the step at " + rollout.currentPercentage + " % must dwell until " + tooEarly.earliestAdvanceAt()
                        + " (database time); retry in " + seconds + " s")
                .with("earliestAdvanceAt", tooEarly.earliestAdvanceAt().toString())
                .with("retryAfterSeconds", seconds)
                .with("currentPercentage", rollout.currentPercentage)
                .header("Retry-After", Long.toString(seconds));
    }

    private void recordRefusal(AdvanceRefused refused) {
        QuarkusTransaction.requiringNew().run(() -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("refusal", refused.problem().type());
            details.put("detail", refused.problem().detail());
            refused.problem().extensions().forEach((k, v) -> {
                if (!k.equals("rolloutId")) {
                    details.put(k, v instanceof Enum<?> e ? e.name() : v);
                }
            });
            history.append(refused.rolloutId, refused.decidedAt, Action.ADVANCE_REFUSED, refused.fromPercentage,
                    refused.toPercentage, refused.actor(), refused.problem().type(), details);
        });
    }

    /** An advance refusal on its way out of the transaction, carrying what the history needs. */
    static final class AdvanceRefused extends RuntimeException {
        private final UUID rolloutId;
        private final double fromPercentage;
        private final Double toPercentage;
        private final ApiProblem problem;
        private final String actor;
        private final Instant decidedAt;

        AdvanceRefused(Rollout rollout, String actor, Instant decidedAt, ApiProblem problem) {
            super(problem.detail(), null, false, false);
            this.rolloutId = rollout.id;
            this.actor = actor;
            this.decidedAt = decidedAt;
            this.fromPercentage = rollout.currentPercentage;
            this.toPercentage = rollout.stepIndex + 1 < rollout.stepCount
                    ? rollout.plan.steps.get(rollout.stepIndex + 1).percentage() : null;
            this.problem = problem.with("rolloutId", rollout.id);
        }

        ApiProblem problem() {
            return problem;
        }

        String actor() {
            return actor;
        }
    }

    // ---- operator commands --------------------------------------------------------------------------

    public RolloutView command(UUID id, Command command, String reason, String actor) {
        boolean reasonRequired = command != Command.RESUME;
        if (reasonRequired && (reason == null || reason.isBlank())) {
            throw ApiProblem.badRequest("invalid-request", "reason: is required to " + command.name().toLowerCase()
                    + " a rollout").with("errors", List.of("reason: is required"));
        }
        if (reason != null && reason.length() > ReasonRequest.MAX_LENGTH) {
            throw ApiProblem.badRequest("invalid-request", "reason: must be at most " + ReasonRequest.MAX_LENGTH
                    + " characters").with("errors", List.of("reason: too long"));
        }
        if (reason != null && !ReasonRequest.printable(reason)) {
            throw ApiProblem.badRequest("invalid-request", "reason: must not contain control characters")
                    .with("errors", List.of("reason: control characters"));
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Rollout rollout = lock(id);
            RolloutRules.check(command, rollout.state).ifPresent(refusal -> {
                throw ApiProblem.conflict(refusal.type(), "Not allowed in state " + rollout.state, refusal.detail())
                        .with("state", rollout.state);
            });
            Instant now = clock.now();
            double from = rollout.currentPercentage;
            StepSchedule schedule = rollout.plan.schedule();
            switch (command) {
                case PAUSE -> {
                    rollout.state = RolloutState.PAUSED;
                    history.append(id, now, Action.PAUSED, from, from, actor, reason, Map.of());
                }
                case RESUME -> {
                    // A fresh, full dwell: time spent paused never counts towards the step.
                    rollout.state = RolloutState.PROGRESSING;
                    rollout.dwellStartedAt = now;
                    rollout.earliestAdvanceAt = schedule.earliestAdvanceAt(rollout.stepIndex, now);
                    history.append(id, now, Action.RESUMED, from, from, actor, reason,
                            Map.of("earliestAdvanceAt", rollout.earliestAdvanceAt.toString()));
                }
                case ROLLBACK -> {
                    rollBack(rollout, now);
                    history.append(id, now, Action.ROLLED_BACK, from, 0.0, actor, reason, Map.of());
                }
                case ABORT -> {
                    rollout.state = RolloutState.ABORTED;
                    rollout.finishedAt = now;
                    history.append(id, now, Action.ABORTED, from, from, actor, reason, Map.of());
                }
            }
            rollout.updatedAt = now;
            return RolloutView.of(rollout);
        });
    }

    /** Back to 0 %: the rollout is over and its target free for a new one. */
    private static void rollBack(Rollout rollout, Instant now) {
        rollout.state = RolloutState.ROLLED_BACK;
        rollout.stepIndex = -1;
        rollout.currentPercentage = 0;
        rollout.stepEnteredAt = now;
        rollout.finishedAt = now;
    }

    // ---- locking ----------------------------------------------------------------------------------

    /** Takes the rollout's row lock for the rest of the transaction, waiting for any holder. */
    Rollout lock(UUID id) {
        List<?> rows = em.createNativeQuery("select * from rollout where id = ?1 for update", Rollout.class)
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            throw ApiProblem.notFound("rollout", id.toString());
        }
        return (Rollout) rows.get(0);
    }

    /** Takes the row lock only if nobody else holds it: another instance is already acting on this rollout. */
    Optional<Rollout> tryLock(UUID id) {
        List<?> rows = em.createNativeQuery("select * from rollout where id = ?1 for update skip locked", Rollout.class)
                .setParameter(1, id).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of((Rollout) rows.get(0));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
