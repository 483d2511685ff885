package dev.rollout.rollout;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import dev.rollout.gate.GateReport;
import dev.rollout.gate.GateResponse;
import dev.rollout.gate.GateResult;
import dev.rollout.history.EventDetails;
import dev.rollout.history.HistoryEvent;
import dev.rollout.plan.Mode;
import dev.rollout.plan.Plan;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * One run of a plan for a target. Its transitions are the methods below: each changes the fields and
 * returns the history event(s) that say so. They are called only inside {@link RolloutChanges}, under
 * the rollout's row lock, with {@code now} read from the database clock after the lock was taken.
 */
@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {

    /** The reason of a pause because a step webhook call was given up. */
    public static final String WEBHOOK_UNDELIVERED = "webhook-undelivered";

    @Id
    public UUID id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "plan_id")
    public Plan plan;

    public String target;

    public String version;

    @Enumerated(EnumType.STRING)
    public RolloutState state;

    /** -1 at the 0 % start, then the index of the plan step reached. */
    @Column(name = "step_index")
    public int stepIndex;

    @Column(name = "step_count")
    public int stepCount;

    @Column(name = "current_percentage")
    public double currentPercentage;

    @Column(name = "step_entered_at")
    public Instant stepEnteredAt;

    /** Start of the current clean dwell window: the step's entry, or the last resume. */
    @Column(name = "dwell_started_at")
    public Instant dwellStartedAt;

    @Column(name = "earliest_advance_at")
    public Instant earliestAdvanceAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Who started it, as recorded (token name or JWT subject@issuer host): a plan's approvalBy compares with it. */
    @Column(name = "started_by")
    public String startedBy;

    /**
     * The step an operator approved entering (the next one when approved; the current one once entered), or
     * null. Kept through pause and resume, cleared by a rollback. The three fields below go with it.
     */
    @Column(name = "approved_step")
    public Integer approvedStep;

    @Column(name = "approved_by")
    public String approvedBy;

    @Column(name = "approved_at")
    public Instant approvedAt;

    @Column(name = "approval_reason")
    public String approvalReason;

    /** A gate violation has been recorded and the gates have not passed since (see {@link WatchRules}). */
    @Column(name = "violation_open")
    public boolean violationOpen;

    /**
     * Set while the watch holds the rollout because gates are in ERROR under {@code onError: HOLD}: when that
     * started. Null otherwise. Only a PROGRESSING rollout holds (at 0 % too, where the dwell is zero).
     */
    @Column(name = "hold_started_at")
    public Instant holdStartedAt;

    /**
     * How much of the current dwell window was held (unobserved), in microseconds, holds already ended only:
     * the dwell ends that much later. Back to 0 whenever a new dwell window starts (step entered, resume).
     */
    @Column(name = "dwell_held_micros")
    public long dwellHeldMicros;

    /** A shadow gate's failure has been recorded and the shadow gates have not all passed since. */
    @Column(name = "shadow_open")
    public boolean shadowOpen;

    /**
     * Bumped by every committed change. Gates are evaluated without holding the row lock; the change
     * that follows goes ahead only if this is still the version that was evaluated.
     */
    @Version
    @Column(name = "row_version")
    public long rowVersion;

    // ---- the rules' view ---------------------------------------------------------------------------

    /** What an advance would do now with no freeze over the target (the plan's windows apply). */
    public AdvanceDecision decideAdvance(Instant now, boolean overrideDwell) {
        return decideAdvance(now, RolloutRules.Holds.NONE, overrideDwell);
    }

    /**
     * What an advance would do now, with the freezes over the target in {@code holds} (the plan's windows are
     * added here); {@code override} is an admin's audited override of every rule but the state.
     */
    public AdvanceDecision decideAdvance(Instant now, RolloutRules.Holds holds, boolean override) {
        return RolloutRules.advance(state, stepIndex, dwellStartedAt, held(now), plan.schedule(), now,
                withWindows(holds), approvedStep, override);
    }

    /** Every rule that refuses a move now, in order (what an override sets aside). */
    public List<AdvanceDecision> refusals(Instant now, RolloutRules.Holds holds) {
        return RolloutRules.refusals(state, stepIndex, dwellStartedAt, held(now), plan.schedule(), now,
                withWindows(holds), approvedStep);
    }

    private RolloutRules.Holds withWindows(RolloutRules.Holds holds) {
        return new RolloutRules.Holds(holds.freeze(), plan.windows());
    }

    /** An active rollout whose next step needs an approval it does not have. */
    public boolean awaitsApproval() {
        return state.isActive() && RolloutRules.awaitsApproval(plan.needsApproval(stepIndex + 1), stepIndex,
                approvedStep);
    }

    /** Whether the approval held is for the next step (not yet used). */
    public boolean nextStepApproved() {
        return approvedStep != null && approvedStep == stepIndex + 1;
    }

    /** The unobserved part of the current dwell window at {@code now}, the open hold included. */
    public Duration held(Instant now) {
        return RolloutRules.held(dwellHeld(), holdStartedAt, now);
    }

    /** The holds of the current dwell window that have ended. */
    public Duration dwellHeld() {
        return Duration.of(dwellHeldMicros, ChronoUnit.MICROS);
    }

    /** The percentage of the next step, or null when there is none or the rollout is over. */
    public Double nextPercentage() {
        return state.isActive() && stepIndex + 1 < stepCount ? plan.steps.get(stepIndex + 1).percentage() : null;
    }

    // ---- transitions ----------------------------------------------------------------------------------

    /** A new rollout of {@code plan} at 0 %, still PROGRESSING towards its first step. */
    public static Rollout begin(Plan plan, String target, String version, Instant now) {
        return begin(plan, target, version, now, null);
    }

    /** As above, started by {@code actor}. */
    public static Rollout begin(Plan plan, String target, String version, Instant now, String actor) {
        Rollout rollout = new Rollout();
        rollout.id = UUID.randomUUID();
        rollout.plan = plan;
        rollout.target = target;
        rollout.version = version;
        rollout.state = RolloutState.PROGRESSING;
        rollout.stepIndex = -1;
        rollout.stepCount = plan.steps.size();
        rollout.currentPercentage = 0;
        rollout.stepEnteredAt = now;
        rollout.dwellStartedAt = now;
        rollout.earliestAdvanceAt = now;
        rollout.startedAt = now;
        rollout.updatedAt = now;
        rollout.startedBy = actor;
        return rollout;
    }

    public HistoryEvent started(String actor) {
        return event(null, 0.0, actor, null, new EventDetails.Started(plan.name, plan.version, version));
    }

    /**
     * Applies an advancing decision ({@link RolloutRules.Enter} or {@link RolloutRules.Complete}):
     * entering a step starts its dwell now; entering a final step with nothing left to wait for also
     * completes the rollout. {@code gates} are the results the move was allowed with.
     */
    public List<HistoryEvent> advance(AdvanceDecision decision, Instant now, String actor, GateReport gates,
            boolean override, String instance) {
        List<GateResult> results = gates.isEmpty() ? null : gates.results();
        Boolean overridden = override ? Boolean.TRUE : null;
        List<HistoryEvent> events = new ArrayList<>(2);
        if (decision instanceof RolloutRules.Enter enter) {
            double from = currentPercentage;
            stepIndex = enter.stepIndex();
            currentPercentage = enter.percentage();
            stepEnteredAt = now;
            dwellStartedAt = now;
            earliestAdvanceAt = enter.earliestAdvanceAt();
            updatedAt = now;
            newDwellWindow();
            events.add(event(from, currentPercentage, actor, null,
                    new EventDetails.StepEntered(stepIndex, earliestAdvanceAt, results, overridden, instance)));
            if (enter.completes()) {
                events.add(complete(now, actor, results, overridden, instance));
            }
        } else if (decision instanceof RolloutRules.Complete) {
            events.add(complete(now, actor, results, overridden, instance));
        } else {
            throw new IllegalArgumentException("not an advancing decision: " + decision);
        }
        return events;
    }

    private HistoryEvent complete(Instant now, String actor, List<GateResult> gates, Boolean override,
            String instance) {
        state = RolloutState.COMPLETED;
        finishedAt = now;
        updatedAt = now;
        holdStartedAt = null;
        return event(currentPercentage, currentPercentage, actor, null,
                new EventDetails.Completed(gates, override, instance));
    }

    public HistoryEvent pause(Instant now, String actor, String reason) {
        return pause(now, actor, reason, null);
    }

    private HistoryEvent pause(Instant now, String actor, String reason, GateResponse policy) {
        state = RolloutState.PAUSED;
        updatedAt = now;
        holdStartedAt = null; // a resume starts a fresh dwell: there is nothing left to extend
        return event(currentPercentage, currentPercentage, actor, reason,
                new EventDetails.Paused(policy == null ? null : policy.name()));
    }

    /**
     * A step webhook call was given up: the router may never have applied the percentage, so an active
     * rollout must not keep dwelling as if it had. It is paused with reason {@value #WEBHOOK_UNDELIVERED};
     * one already PAUSED records the same event, so that its latest pause says why it must not simply be
     * resumed. A finished rollout has nothing left to pause: empty.
     */
    public Optional<HistoryEvent> webhookUndelivered(Instant now, String actor, EventDetails.WebhookUndelivered details) {
        if (!state.isActive()) {
            return Optional.empty();
        }
        state = RolloutState.PAUSED;
        updatedAt = now;
        holdStartedAt = null;
        return Optional.of(event(currentPercentage, currentPercentage, actor, WEBHOOK_UNDELIVERED, details));
    }

    /** Back to PROGRESSING with a fresh, full dwell: time spent paused never counts towards the step. */
    public HistoryEvent resume(Instant now, String actor, String reason) {
        state = RolloutState.PROGRESSING;
        violationOpen = false;
        dwellStartedAt = now;
        newDwellWindow();
        earliestAdvanceAt = plan.schedule().earliestAdvanceAt(stepIndex, now);
        updatedAt = now;
        return event(currentPercentage, currentPercentage, actor, reason, new EventDetails.Resumed(earliestAdvanceAt));
    }

    public HistoryEvent rollBack(Instant now, String actor, String reason) {
        return rollBack(now, actor, reason, null);
    }

    /**
     * An operator's approval to enter the next step (the caller has checked {@link RolloutRules#checkApprove}).
     * It holds for that step through pause and resume; the move that enters the step uses it.
     */
    public HistoryEvent approve(Instant now, String actor, String reason) {
        int next = stepIndex + 1;
        approvedStep = next;
        approvedBy = actor;
        approvedAt = now;
        approvalReason = reason;
        updatedAt = now;
        double to = plan.steps.get(next).percentage();
        return event(currentPercentage, to, actor, reason, new EventDetails.Approved(next, to));
    }

    /** Back to 0 %: the rollout is over and its target free for a new one; an approval does not outlive it. */
    private HistoryEvent rollBack(Instant now, String actor, String reason, GateResponse policy) {
        double from = currentPercentage;
        holdStartedAt = null;
        approvedStep = null;
        approvedBy = null;
        approvedAt = null;
        approvalReason = null;
        state = RolloutState.ROLLED_BACK;
        stepIndex = -1;
        currentPercentage = 0;
        stepEnteredAt = now;
        finishedAt = now;
        updatedAt = now;
        return event(from, 0.0, actor, reason, new EventDetails.RolledBack(policy == null ? null : policy.name()));
    }

    public HistoryEvent abort(Instant now, String actor, String reason) {
        state = RolloutState.ABORTED;
        finishedAt = now;
        updatedAt = now;
        holdStartedAt = null;
        return event(currentPercentage, currentPercentage, actor, reason, new EventDetails.Aborted());
    }

    /**
     * Applies {@code policy} (PAUSE or ROLLBACK, what the failing gates ask for, see
     * {@link GateReport#response}): PAUSE keeps the percentage, ROLLBACK returns to 0 %. Either way the clean
     * dwell window is over; a resume starts a new one. An open hold ends first, on the record.
     */
    public List<HistoryEvent> violate(GateReport gates, GateResponse policy, Instant now, String actor,
            String instance) {
        if (policy != GateResponse.PAUSE && policy != GateResponse.ROLLBACK) {
            throw new IllegalArgumentException("not a violation policy: " + policy);
        }
        List<HistoryEvent> events = new ArrayList<>(3);
        if (holdStartedAt != null) {
            events.add(endHold(gates, now, actor, instance));
        }
        boolean rollback = policy == GateResponse.ROLLBACK;
        String reason = "gate violation: " + gates.failingSummary();
        events.add(event(currentPercentage, rollback ? 0.0 : currentPercentage, actor, reason,
                new EventDetails.Violation(policy.name(), gates.results(), instance)));
        events.add(rollback ? rollBack(now, actor, reason, policy) : pause(now, actor, reason, policy));
        violationOpen = true;
        return events;
    }

    /**
     * Records a violation of a rollout that is already PAUSED and whose failing gates ask for PAUSE: it still
     * serves its percentage, so the violation is on record, once until the gates pass again.
     */
    public HistoryEvent recordViolation(GateReport gates, GateResponse policy, Instant now, String actor,
            String instance) {
        violationOpen = true;
        updatedAt = now;
        return event(currentPercentage, currentPercentage, actor, "gate violation while paused: " + gates.failingSummary(),
                new EventDetails.Violation(policy.name(), gates.results(), instance));
    }

    /** The gates of a PAUSED rollout pass again: a new violation will be recorded anew. Not an event. */
    public void closeViolation(Instant now) {
        violationOpen = false;
        updatedAt = now;
    }

    /**
     * Gates are in ERROR and ask only to HOLD: no advance, and from {@code now} on the dwell does not count
     * until they answer again. Recorded once, when the hold starts.
     */
    public HistoryEvent startHold(GateReport gates, Instant now, String actor, String instance) {
        holdStartedAt = now;
        updatedAt = now;
        return event(currentPercentage, currentPercentage, actor, "holding: " + gates.failingSummary()
                        + "; no advance, and the dwell is extended until the gates answer",
                new EventDetails.HoldStarted(earliestAdvanceAt, gates.results(), instance));
    }

    /**
     * The hold is over: the time it lasted is added to the dwell window's unobserved time, and the dwell ends
     * that much later. Recorded once, with how long it lasted.
     */
    public HistoryEvent endHold(GateReport gates, Instant now, String actor, String instance) {
        Instant since = holdStartedAt;
        Duration held = now.isAfter(since) ? Duration.between(since, now) : Duration.ZERO;
        dwellHeldMicros += held.toNanos() / 1_000;
        holdStartedAt = null;
        earliestAdvanceAt = plan.schedule().earliestAdvanceAt(stepIndex, dwellStartedAt, dwellHeld());
        updatedAt = now;
        return event(currentPercentage, currentPercentage, actor, "hold over after " + held.truncatedTo(ChronoUnit.SECONDS)
                        + "; the dwell is extended by it",
                new EventDetails.HoldEnded(since, held.toString(), held.toSeconds(), earliestAdvanceAt,
                        gates.isEmpty() ? null : gates.results(), instance));
    }

    /** A shadow gate does not pass: on record once, enforced never (see {@link #closeShadow}). */
    public HistoryEvent recordShadow(GateReport gates, Instant now, String actor, String instance) {
        shadowOpen = true;
        updatedAt = now;
        return event(currentPercentage, currentPercentage, actor, "shadow gate not passing (not enforced): "
                + gates.shadowSummary(), new EventDetails.ShadowViolation(gates.results(), instance));
    }

    /** Every shadow gate passes again: a new failure will be recorded anew. Not an event. */
    public void closeShadow(Instant now) {
        shadowOpen = false;
        updatedAt = now;
    }

    private void newDwellWindow() {
        holdStartedAt = null;
        dwellHeldMicros = 0;
    }

    /** AUTOMATIC rollouts advance by themselves; any rollout completes by itself once its final bake is over. */
    public boolean mayMoveItself() {
        return plan.mode == Mode.AUTOMATIC || stepIndex == stepCount - 1;
    }

    /**
     * The audit record of an admin's override: which rules it set aside ({@code setAside}, the refusals the move
     * would have met without it, and "gates" when they did not pass; none when nothing stood in the way).
     */
    public HistoryEvent overridden(List<AdvanceDecision> setAside, AdvanceDecision decision, GateReport gates,
            String actor, String reason) {
        List<String> bypassed = new ArrayList<>(4);
        RolloutRules.TooEarly tooEarly = null;
        RolloutRules.Frozen frozen = null;
        RolloutRules.OutsideWindow outside = null;
        for (AdvanceDecision refusal : setAside) {
            if (refusal instanceof RolloutRules.Frozen f) {
                frozen = f;
                bypassed.add("freeze");
            } else if (refusal instanceof RolloutRules.OutsideWindow w) {
                outside = w;
                bypassed.add("window");
            } else if (refusal instanceof RolloutRules.TooEarly t) {
                tooEarly = t;
                bypassed.add("dwell");
            }
        }
        if (awaitsApproval()) {
            bypassed.add("approval");
        }
        if (!gates.passed()) {
            bypassed.add("gates");
        }
        double to = decision instanceof RolloutRules.Enter enter ? enter.percentage() : currentPercentage;
        return event(currentPercentage, to, actor, reason, new EventDetails.AdminOverride(bypassed,
                tooEarly == null ? null : tooEarly.earliestAdvanceAt(),
                tooEarly == null ? null : tooEarly.remaining().toSeconds(),
                gates.passed() ? null : gates.results(),
                frozen == null ? null : frozen.freezes(), frozen == null ? null : frozen.until(),
                outside == null ? null : outside.opensAt()));
    }

    /** The record of a refused advance: the rollout itself does not change. */
    public HistoryEvent refused(RolloutRefused refusal, String actor) {
        return event(currentPercentage, nextPercentage(), actor, refusal.refusal().type(),
                new EventDetails.Refused(refusal.refusal().type(), refusal.detail(), stepIndex,
                        refusal.facts()));
    }

    private HistoryEvent event(Double from, Double to, String actor, String reason, EventDetails details) {
        return new HistoryEvent(id, from, to, actor, reason, details);
    }
}
