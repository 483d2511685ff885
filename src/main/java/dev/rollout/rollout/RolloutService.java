package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.TypedQuery;

import org.hibernate.exception.ConstraintViolationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.clock.RolloutClock;
import dev.rollout.freeze.FreezeService;
import dev.rollout.gate.GateChecks;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateReport;
import dev.rollout.history.History;
import dev.rollout.history.HistoryEvent;
import dev.rollout.page.Cursor;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.plan.AdvanceWindows;
import dev.rollout.plan.Plan;
import dev.rollout.plan.PlanService;
import dev.rollout.problem.ApiProblem;
import dev.rollout.rollout.RolloutChanges.Decided;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import dev.rollout.rollout.RolloutRules.Command;
import dev.rollout.security.ScopeGuard;
import dev.rollout.security.TargetScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;

/**
 * What callers ask of rollouts: start one, advance it, pause, resume, roll back or abort it. Every
 * change goes through {@link RolloutChanges}; the rules are in {@link Rollout} and {@link RolloutRules}.
 * Refusals are thrown as {@link RolloutRefused}; the HTTP shape of answers is the resource's business.
 */
@ApplicationScoped
public class RolloutService {

    /** The unique index that allows one active rollout per target (db/V1__core.sql). */
    static final String ONE_ACTIVE_PER_TARGET = "rollout_one_active_per_target";

    private final EntityManager em;
    private final RolloutClock clock;
    private final RolloutChanges changes;
    private final PlanService plans;
    private final History history;
    private final IdempotencyStore idempotency;
    private final GateChecks gates;
    private final ObjectMapper json;
    private final RolloutRepository rows;
    private final ScopeGuard scope;
    private final FreezeService freezes;
    private final ConnectionReserve reserve;

    public RolloutService(EntityManager em, RolloutClock clock, RolloutChanges changes, PlanService plans,
            History history, IdempotencyStore idempotency, GateChecks gates, ObjectMapper json, ConnectionReserve reserve,
            RolloutRepository rows, ScopeGuard scope, FreezeService freezes) {
        this.freezes = freezes;
        this.reserve = reserve;
        this.rows = rows;
        this.scope = scope;
        this.em = em;
        this.clock = clock;
        this.changes = changes;
        this.plans = plans;
        this.history = history;
        this.idempotency = idempotency;
        this.gates = gates;
        this.json = json;
    }

    /** A call's answer: the rollout as the call left it, or the first answer to a repeated Idempotency-Key. */
    public sealed interface Answer {
    }

    public record Done(RolloutView rollout) implements Answer {
    }

    /** {@code body} is the JSON of the first answer's rollout. */
    public record Replayed(String body) implements Answer {
    }

    // ---- reads ------------------------------------------------------------------------------------

    /**
     * The rollout as committed, for answers: its own row (one indexed fetch) with its plan from the plan
     * cache. Unmanaged: changes go through {@link RolloutChanges}. A rollout of a target outside the
     * caller's scope is not found, like one that does not exist.
     */
    public Rollout get(UUID id) {
        return rows.snapshot(id, plans::byId).filter(r -> scope.sees(r.target))
                .orElseThrow(() -> ApiProblem.notFound("rollout", id.toString()));
    }

    /**
     * As {@link #get}, without blocking the calling event loop: the row from the read pool, the plan from the
     * cache (one not cached yet is read on a worker thread, with a connection permit of its own). The caller's
     * scope is taken now, while the request's context is active: the row arrives outside it.
     */
    public Uni<Rollout> read(UUID id) {
        TargetScope seen = scope.scope();
        return rows.snapshotOnReadPool(id, this::plan).map(found -> found.filter(r -> seen.allows(r.target))
                .orElseThrow(() -> ApiProblem.notFound("rollout", id.toString())));
    }

    /** The plan for a read on the event loop: cached at once, else read on a worker and answered on the loop. */
    private Uni<Plan> plan(long planId) {
        Optional<Plan> cached = plans.cached(planId);
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        return reserve.offEventLoop(null, () -> QuarkusTransaction.requiringNew().call(() -> plans.byId(planId))
                .orElseThrow(() -> new IllegalStateException("plan " + planId + " of a rollout does not exist")));
    }

    /**
     * A page of rollouts matching {@code filter}, newest first (by start, then id), only of targets in the
     * caller's scope; the cursor is the last one's start and id.
     */
    public Page<Rollout> list(RolloutFilter filter, PageRequest page) {
        Cursor after = page.after();
        Map<String, Object> params = new java.util.HashMap<>();
        List<String> where = matching(filter, params);
        if (after != null) {
            where.add("(startedAt < :startedAt or (startedAt = :startedAt and id < :id))");
            params.put("startedAt", after.instant(0));
            params.put("id", after.uuid(1));
        }
        String query = (where.isEmpty() ? "" : String.join(" and ", where) + " ") + "order by startedAt desc, id desc";
        List<Rollout> rows = Rollout.<Rollout>find(query, params).range(0, page.fetchSize() - 1).list();
        return Page.of(rows, page, r -> Cursor.encode(r.startedAt, r.id));
    }

    /**
     * The conditions (on {@link Rollout}, JPQL) that select what {@code filter} names within the caller's
     * scope, their parameters added to {@code params}. Target patterns become SQL {@code LIKE} patterns through
     * {@link TargetScope#likePatterns()}, so a filter matches exactly what a token scope of it would.
     */
    private List<String> matching(RolloutFilter filter, Map<String, Object> params) {
        List<String> where = new ArrayList<>();
        if (filter.state() != null) {
            where.add("state = :state");
            params.put("state", filter.state());
        }
        if (filter.target() != null) {
            where.add(anyLike(filter.target(), "pattern", params));
        }
        if (filter.plan() != null) {
            where.add("plan.name = :plan");
            params.put("plan", filter.plan());
        }
        TargetScope targets = scope.scope();
        if (!targets.isAll()) {
            where.add(anyLike(targets, "scope", params));
        }
        return where;
    }

    private static String anyLike(TargetScope targets, String prefix, Map<String, Object> params) {
        List<String> any = new ArrayList<>();
        for (String like : targets.likePatterns()) {
            String name = prefix + any.size();
            params.put(name, like);
            any.add("target like :" + name + " escape '" + TargetScope.LIKE_ESCAPE + "'");
        }
        return "(" + String.join(" or ", any) + ")";
    }

    // ---- fleet operations -------------------------------------------------------------------------

    /** How many rollouts one transaction of a bulk command changes: short locks, bounded transactions. */
    static final int BULK_CHUNK = 250;

    /**
     * Pauses or resumes every active rollout that {@code request} selects within the caller's scope (out of
     * scope rollouts are never selected, so they neither change nor refuse), each through the same transition
     * and history event as the single command. Rollouts whose state does not allow the command are skipped
     * and reported with the refusal the single command would give. The work is done in chunks of
     * {@value #BULK_CHUNK} rollouts, each in one transaction of {@link RolloutChanges#changeEach}: a chunk
     * commits whole or not at all, and what committed stays committed if a later chunk fails.
     */
    public FleetResult bulk(Command command, FleetRequest request, String actor) {
        if (command != Command.PAUSE && command != Command.RESUME) {
            throw new IllegalArgumentException("no bulk " + command);
        }
        if (request == null) {
            throw ApiProblem.badRequest("invalid-request", "body: target and reason are required")
                    .with("errors", List.of("body: target and reason are required"));
        }
        String what = command.name().toLowerCase() + " rollouts";
        RolloutFilter filter = request.filter(what);
        Map<String, Object> params = new java.util.HashMap<>();
        List<String> where = matching(filter, params);
        where.add("state in :active");
        params.put("active", List.of(RolloutState.PROGRESSING, RolloutState.PAUSED));
        TypedQuery<UUID> select = em.createQuery("select r.id from Rollout r where " + String.join(" and ", where)
                + " order by r.id", UUID.class);
        params.forEach(select::setParameter);
        List<UUID> ids = select.getResultList();

        List<UUID> acted = new ArrayList<>();
        List<FleetResult.Skipped> skipped = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += BULK_CHUNK) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + BULK_CHUNK));
            List<Object> outcomes = changes.changeEach(chunk, locked -> {
                Rollout rollout = locked.rollout();
                if (!scope.sees(rollout.target)) {
                    return Decided.nothing(null); // cannot happen: targets never change; never acted on
                }
                Optional<RolloutRefused> refused = RolloutRules.check(command, rollout.state);
                if (refused.isPresent()) {
                    return Decided.nothing(new FleetResult.Skipped(rollout.id, refused.get().refusal().type(),
                            rollout.state));
                }
                HistoryEvent event = command == Command.PAUSE ? rollout.pause(locked.now(), actor, request.reason())
                        : rollout.resume(locked.now(), actor, request.reason());
                return Decided.of(event, rollout.id);
            });
            for (Object outcome : outcomes) {
                if (outcome instanceof FleetResult.Skipped skip) {
                    skipped.add(skip);
                } else {
                    acted.add((UUID) outcome);
                }
            }
        }
        return new FleetResult(acted, skipped);
    }

    /**
     * Idempotency keys belong to the credential that sent them: the same key from another credential is
     * another key, so one caller's answer is never replayed to another. The actor names one credential (API
     * token names are never reused; JWT actors carry their issuer's host).
     */
    static String idempotencyScope(String operation, String actor) {
        return operation + "|" + actor;
    }

    // ---- start ------------------------------------------------------------------------------------

    public Answer start(StartRequest request, String actor, String idempotencyKey) {
        List<String> problems = request == null ? List.of("body: plan, target and version are required")
                : request.problems();
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        IdempotencyStore.validate(idempotencyKey);
        scope.requireTarget(request.target());
        String idempotencyScope = idempotencyScope("start", actor);
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (idempotencyKey != null) {
                    Optional<String> replay = idempotency.claim(idempotencyScope, idempotencyKey, request.fingerprint());
                    if (replay.isPresent()) {
                        return new Replayed(replay.get());
                    }
                }
                // Loaded in this transaction's session: the new rollout refers to it, and an entity instance
                // belongs to one session at a time, so the shared plan cache is for answers only.
                Plan plan = plans.find(request.plan(), request.planVersion()).orElseThrow(() -> ApiProblem.notFound(
                        "plan", request.planVersion() == null ? request.plan()
                                : request.plan() + " version " + request.planVersion()));
                // The index itself refuses a racing start, but a refusal found here costs no failed insert
                // and no error in the database's log.
                RolloutRepository.ForStart look = rows.forStart(request.target());
                if (look.activeRolloutId().isPresent()) {
                    throw targetBusy(request.target(), Map.of("activeRolloutId", look.activeRolloutId().get()));
                }
                Instant now = clock.at(look.statementTimestamp());
                // A freeze holds starts as it holds advances: nothing new reaches a frozen target.
                Optional<RolloutRefused> frozen = RolloutRules.frozen(new RolloutRules.Holds(
                        freezes.cover(request.target(), now), AdvanceWindows.ALWAYS), now)
                        .flatMap(decision -> refusal(null, decision));
                if (frozen.isPresent()) {
                    throw frozen.get();
                }
                Rollout rollout = Rollout.begin(plan, request.target(), request.version(), now, actor);
                rollout.persistAndFlush();
                // One plain statement, as a change appends its events: no history entity in the session.
                history.appendChange(null, List.of(rollout.started(actor)), now, rollout);
                RolloutView view = RolloutView.of(rollout);
                if (idempotencyKey != null) {
                    idempotency.complete(idempotencyScope, idempotencyKey, toJson(view));
                }
                return new Done(view);
            });
        } catch (PersistenceException e) {
            // Two starts for one target raced past the look above; the unique index let only one through.
            if (violates(e, ONE_ACTIVE_PER_TARGET)) {
                throw targetBusy(request.target(), Map.of());
            }
            throw e;
        }
    }

    private static boolean violates(Throwable e, String constraint) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConstraintViolationException violation) {
                return constraint.equals(violation.getConstraintName());
            }
        }
        return false;
    }

    private static RolloutRefused targetBusy(String target, Map<String, Object> facts) {
        return new RolloutRefused(Refusal.ACTIVE_ROLLOUT_EXISTS, "target '" + target
                + "' already has an active rollout; finish, roll back or abort it first", facts);
    }

    // ---- advance ----------------------------------------------------------------------------------

    /** How far an advance got in one of its two transactions. */
    private sealed interface Stage {
    }

    private record Replay(String body) implements Stage {
    }

    private record Refuse(RolloutRefused refusal) implements Stage {
    }

    /** The first look found nothing against the move: evaluate the gates for the version seen. */
    private record Evaluate(long rowVersion, List<GateDefinition> gates) implements Stage {
    }

    private record Moved(RolloutView rollout) implements Stage {
    }

    /**
     * Moves the rollout one step if the time rule allows it and every gate passes. A refusal changes
     * nothing but the history, where it is recorded in the transaction that decided it, and is thrown.
     * Gates are evaluated between a first look and the locked change, so no lock is held while
     * monitoring answers; the change goes ahead only if the rollout is still as first seen.
     * <p>A non-null {@code overrideReason} is an admin's audited override (the caller has checked the
     * role): the move happens even if the dwell is not over or gates fail, and an {@code override}
     * event naming who, why and what was set aside is recorded before the step.
     */
    public Answer advance(UUID id, String actor, String idempotencyKey, String overrideReason) {
        return advance(id, actor, idempotencyKey, overrideReason, true);
    }

    /**
     * As {@link #advance(UUID, String, String, String)}; with {@code recordRefusals} false a refusal is
     * thrown but not recorded: the retries of a held request ({@link HeldAdvances}) are one call, recorded
     * when it was first refused, and a retry that appended would wake every held request again.
     */
    public Answer advance(UUID id, String actor, String idempotencyKey, String overrideReason,
            boolean recordRefusals) {
        IdempotencyStore.validate(idempotencyKey);
        boolean override = overrideReason != null;
        String keyScope = idempotencyScope("advance:" + id, actor);
        // The fingerprint covers the body: one key cannot be replayed for a different kind of advance.
        String fingerprint = override ? keyScope + "|override|" + overrideReason : keyScope;

        // The look takes no lock, so callers that will be refused never queue behind one another.
        Stage look = changes.change(id, RolloutChanges.LockMode.NO_LOCK, null, locked -> {
            // Out of scope: refused before anything is replayed or recorded.
            this.scope.requireTarget(locked.rollout().target);
            if (idempotencyKey != null) {
                Optional<String> replay = idempotency.answered(keyScope, idempotencyKey, fingerprint);
                if (replay.isPresent()) {
                    return Decided.nothing(new Replay(replay.get()));
                }
            }
            Rollout rollout = locked.rollout();
            return refusal(rollout, rollout.decideAdvance(locked.now(), holds(rollout, locked.now()), override))
                    .map(refusal -> refuse(rollout, refusal, actor, recordRefusals))
                    .orElseGet(() -> Decided.nothing(new Evaluate(rollout.rowVersion, rollout.plan.gates)));
        }).orElseThrow(() -> ApiProblem.notFound("rollout", id.toString()));
        if (!(look instanceof Evaluate seen)) {
            return answer(look);
        }
        GateReport report = gates.check(id, seen.gates());

        return answer(changes.change(id, RolloutChanges.LockMode.WAIT, seen.rowVersion(), locked -> {
            if (idempotencyKey != null) {
                // A retry with this key that moved the rollout while this call evaluated: its answer is ours.
                Optional<String> replay = idempotency.answered(keyScope, idempotencyKey, fingerprint);
                if (replay.isPresent()) {
                    return Decided.nothing(new Replay(replay.get()));
                }
            }
            Rollout rollout = locked.rollout();
            Instant now = locked.now();
            if (locked.changedSinceSeen()) {
                // Another change committed since this call looked: the gates were evaluated for a state
                // that no longer exists, so this call must not move the rollout again.
                return refuse(rollout, new RolloutRefused(Refusal.CONCURRENT_CHANGE,
                        "the rollout changed while this request was being evaluated; read it and ask again",
                        Map.of()), actor, recordRefusals);
            }
            // The rules again under the lock (a freeze may have been set since the look), before the gates:
            // which refusal wins follows RolloutRules.refusals, and gates-failing comes last.
            RolloutRules.Holds holds = holds(rollout, now);
            AdvanceDecision decision = rollout.decideAdvance(now, holds, override);
            Optional<RolloutRefused> refusal = refusal(rollout, decision);
            if (refusal.isPresent()) {
                return refuse(rollout, refusal.get(), actor, recordRefusals);
            }
            if (!report.passed() && !override) {
                return refuse(rollout, gatesFailing(report), actor, recordRefusals);
            }
            if (idempotencyKey != null) {
                // Claimed only now that the move will happen, so a refusal leaves the key free for a retry;
                // the row lock keeps any other call with this key out until this one has committed.
                idempotency.claim(keyScope, idempotencyKey, fingerprint).ifPresent(body -> {
                    throw new IllegalStateException("idempotency key answered under the rollout's lock");
                });
            }
            List<HistoryEvent> events = new ArrayList<>(3);
            if (override) {
                events.add(rollout.overridden(rollout.refusals(now, holds), decision, report, actor, overrideReason));
            }
            events.addAll(rollout.advance(decision, now, actor, report, override, null));
            RolloutView view = RolloutView.of(rollout);
            if (idempotencyKey != null) {
                idempotency.complete(keyScope, idempotencyKey, toJson(view));
            }
            return new Decided<>(events, new Moved(view));
        }).orElseThrow(() -> ApiProblem.notFound("rollout", id.toString())));
    }

    private static Answer answer(Stage stage) {
        if (stage instanceof Refuse refuse) {
            throw refuse.refusal();
        }
        if (stage instanceof Replay replay) {
            return new Replayed(replay.body());
        }
        if (stage instanceof Moved moved) {
            return new Done(moved.rollout());
        }
        throw new IllegalStateException("an advance ended before its gates: " + stage);
    }

    /** Records the refusal in the history (the rollout itself does not change) and answers with it. */
    private static Decided<Stage> refuse(Rollout rollout, RolloutRefused refusal, String actor, boolean record) {
        refusal.about(rollout.id);
        return record ? Decided.of(rollout.refused(refusal, actor), new Refuse(refusal))
                : Decided.nothing(new Refuse(refusal));
    }

    /** What holds a move of {@code rollout} at {@code now} besides its state, dwell and plan: the freezes over it. */
    private RolloutRules.Holds holds(Rollout rollout, Instant now) {
        if (rollout.state != RolloutState.PROGRESSING) {
            return RolloutRules.Holds.NONE; // not-progressing wins: no need to read the freezes
        }
        return new RolloutRules.Holds(freezes.cover(rollout.target, now), AdvanceWindows.ALWAYS);
    }

    /**
     * The refusal a non-advancing decision means; empty for Enter and Complete. {@code rollout} is null for a
     * start (only a freeze can refuse one here).
     */
    static Optional<RolloutRefused> refusal(Rollout rollout, AdvanceDecision decision) {
        if (decision instanceof RolloutRules.Frozen frozen) {
            long seconds = RolloutRefused.seconds(frozen.remaining());
            return Optional.of(new RolloutRefused(Refusal.FROZEN, "the target is frozen ("
                    + String.join(", ", frozen.freezes()) + ") until " + frozen.until() + "; retry in " + seconds
                    + " s", Map.of("until", frozen.until().toString(), "freezes", frozen.freezes(),
                            "retryAfterSeconds", seconds), frozen.remaining()));
        }
        if (decision instanceof RolloutRules.OutsideWindow outside) {
            long seconds = RolloutRefused.seconds(outside.remaining());
            Map<String, Object> facts = new java.util.LinkedHashMap<>();
            if (outside.opensAt() != null) {
                facts.put("opensAt", outside.opensAt().toString());
            }
            facts.put("advanceWindows", rollout.plan.advanceWindows);
            facts.put("retryAfterSeconds", seconds);
            return Optional.of(new RolloutRefused(Refusal.OUTSIDE_WINDOW, "steps of plan '" + rollout.plan.name
                    + "' are entered only inside its advance windows (" + AdvanceWindows.describe(
                            rollout.plan.advanceWindows) + ")" + (outside.opensAt() == null ? ""
                                    : "; the next opens at " + outside.opensAt()) + "; retry in " + seconds + " s",
                    facts, outside.remaining()));
        }
        if (decision instanceof RolloutRules.TooEarly tooEarly) {
            long seconds = RolloutRefused.seconds(tooEarly.remaining());
            Map<String, Object> facts = new java.util.LinkedHashMap<>();
            facts.put("earliestAdvanceAt", tooEarly.earliestAdvanceAt().toString());
            facts.put("retryAfterSeconds", seconds);
            facts.put("currentPercentage", rollout.currentPercentage);
            String held = "";
            if (rollout.holdStartedAt != null) {
                // The dwell is not counting: the end moves later for as long as the gates stay in ERROR.
                facts.put("heldSince", rollout.holdStartedAt.toString());
                held = "; gates in ERROR hold it since " + rollout.holdStartedAt
                        + ", and the dwell is extended for as long as they do";
            }
            return Optional.of(new RolloutRefused(Refusal.TOO_EARLY,
                    "the step at " + rollout.currentPercentage + " % must dwell until " + tooEarly.earliestAdvanceAt()
                            + " (database time); retry in " + seconds + " s" + held,
                    facts, tooEarly.remaining()));
        }
        if (decision instanceof RolloutRules.ApprovalRequired required) {
            Map<String, Object> facts = new java.util.LinkedHashMap<>();
            facts.put("nextPercentage", required.percentage());
            facts.put("approvalStepIndex", required.stepIndex());
            if (rollout.plan.approvalBy != null) {
                facts.put("approvalBy", rollout.plan.approvalBy);
            }
            return Optional.of(new RolloutRefused(Refusal.APPROVAL_REQUIRED,
                    "the step to " + required.percentage() + " % needs an operator's approval (POST /api/v1/rollouts/"
                            + rollout.id + "/approve with a reason)"
                            + (rollout.plan.approvalBy == null ? "" : " by another operator than " + rollout.startedBy)
                            + "; nothing was changed", facts));
        }
        if (decision instanceof RolloutRules.NotProgressing np) {
            return Optional.of(new RolloutRefused(Refusal.NOT_PROGRESSING,
                    "the rollout is " + np.state() + "; only a PROGRESSING rollout can advance",
                    Map.of("state", np.state().name())));
        }
        return Optional.empty();
    }

    private static RolloutRefused gatesFailing(GateReport report) {
        return new RolloutRefused(Refusal.GATES_FAILING, "gates not passing: "
                + String.join(", ", report.failing().stream().map(r -> r.name()).toList()) + "; nothing was changed",
                Map.of("gates", report.results()));
    }

    // ---- approvals ----------------------------------------------------------------------------------

    /**
     * An operator's approval to enter the rollout's next step, recorded as an {@code approved} event under the
     * row lock. Approving a step already approved changes nothing and answers the rollout as it is (its
     * {@code approval} still names the first approver). Refused: already-finished, approval-not-required,
     * approval-not-allowed (403). With an {@code Idempotency-Key}, a retry answers the first answer.
     */
    public Answer approve(UUID id, String reason, String actor, String idempotencyKey) {
        String checked = ReasonRequest.check(reason, true, "approve a rollout");
        IdempotencyStore.validate(idempotencyKey);
        String keyScope = idempotencyScope("approve:" + id, actor);
        String fingerprint = keyScope + "|" + checked;
        return changes.change(id, locked -> {
            Rollout rollout = locked.rollout();
            scope.requireTarget(rollout.target);
            if (idempotencyKey != null) {
                Optional<String> replay = idempotency.claim(keyScope, idempotencyKey, fingerprint);
                if (replay.isPresent()) {
                    return Decided.<Answer>nothing(new Replayed(replay.get()));
                }
            }
            RolloutRules.checkApprove(rollout.state, rollout.stepIndex, rollout.plan.schedule(),
                    rollout.plan.approvalBy, rollout.startedBy, actor).ifPresent(refusal -> {
                        throw refusal.about(rollout.id);
                    });
            List<HistoryEvent> events = rollout.nextStepApproved() ? List.of()
                    : List.of(rollout.approve(locked.now(), actor, checked));
            RolloutView view = RolloutView.of(rollout);
            if (idempotencyKey != null) {
                idempotency.complete(keyScope, idempotencyKey, toJson(view));
            }
            return new Decided<Answer>(events, new Done(view));
        });
    }

    // ---- operator commands --------------------------------------------------------------------------

    public RolloutView command(UUID id, Command command, String reason, String actor) {
        ReasonRequest.check(reason, command != Command.RESUME, command.name().toLowerCase() + " a rollout");
        return changes.change(id, locked -> {
            Rollout rollout = locked.rollout();
            scope.requireTarget(rollout.target);
            RolloutRules.check(command, rollout.state).ifPresent(refusal -> {
                throw refusal;
            });
            Instant now = locked.now();
            HistoryEvent event = switch (command) {
                case PAUSE -> rollout.pause(now, actor, reason);
                case RESUME -> rollout.resume(now, actor, reason);
                case ROLLBACK -> rollout.rollBack(now, actor, reason);
                case ABORT -> rollout.abort(now, actor, reason);
            };
            return Decided.of(event, RolloutView.of(rollout));
        });
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
