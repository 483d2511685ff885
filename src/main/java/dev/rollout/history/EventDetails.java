package dev.rollout.history;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import dev.rollout.gate.GateResult;

/**
 * What a history event says beyond its action, percentages, actor and reason: one record per kind of
 * event, stored as the event's JSON {@code details}. The record's type names the action, so an event
 * cannot carry details of another kind.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface EventDetails {

    @JsonIgnore
    Action action();

    /**
     * The gate results the event carries, or null when it carries none. Records with a {@code gates}
     * component implement it with that component (which is part of their JSON).
     */
    default List<GateResult> gates() {
        return null;
    }

    /** Which plan version and which version of the target the rollout runs. */
    record Started(String plan, int planVersion, String version) implements EventDetails {
        public Action action() {
            return Action.STARTED;
        }
    }

    /**
     * A step entered. {@code gates} are the results it was entered with (none for a plan without gates);
     * {@code override} is true when an admin's override let it through; {@code instance} names the
     * controller instance when the watch moved it.
     */
    record StepEntered(int stepIndex, Instant earliestAdvanceAt, List<GateResult> gates, Boolean override,
            String instance) implements EventDetails {
        public Action action() {
            return Action.STEP;
        }
    }

    /** The final step's dwell and bake are over; the fields mean what they mean for {@link StepEntered}. */
    record Completed(List<GateResult> gates, Boolean override, String instance) implements EventDetails {
        public Action action() {
            return Action.COMPLETED;
        }
    }

    /**
     * Gates that did not pass, and the policy applied because of them: the strongest their {@code onFail} and
     * {@code onError} ask for (ROLLBACK over PAUSE).
     */
    record Violation(String policy, List<GateResult> gates, String instance) implements EventDetails {
        public Action action() {
            return Action.GATE_VIOLATION;
        }
    }

    /**
     * Gates are in ERROR and ask only to HOLD: no advance until they answer, and the dwell does not count
     * meanwhile. {@code earliestAdvanceAt} is the dwell's end as it stood when the hold started; it moves later
     * by the time held ({@link HoldEnded}). Recorded once per run of ERROR, not every evaluation.
     */
    record HoldStarted(Instant earliestAdvanceAt, List<GateResult> gates, String instance) implements EventDetails {
        public Action action() {
            return Action.HOLD_STARTED;
        }
    }

    /**
     * The hold that started at {@code heldSince} is over after {@code held} (ISO-8601; {@code heldSeconds} in whole
     * seconds): the dwell is extended by it and now ends at {@code earliestAdvanceAt}. {@code gates} are the
     * results that ended it.
     */
    record HoldEnded(Instant heldSince, String held, long heldSeconds, Instant earliestAdvanceAt, List<GateResult> gates,
            String instance) implements EventDetails {
        public Action action() {
            return Action.HOLD_ENDED;
        }
    }

    /**
     * A shadow gate (a gate on trial) does not pass: every result, the shadow ones flagged. Nothing is enforced;
     * recorded once until the shadow gates pass again.
     */
    record ShadowViolation(List<GateResult> gates, String instance) implements EventDetails {
        public Action action() {
            return Action.SHADOW_VIOLATION;
        }
    }

    /** {@code policy} is set when a violation paused it; null for an operator's pause. */
    record Paused(String policy) implements EventDetails {
        public Action action() {
            return Action.PAUSED;
        }
    }

    /**
     * A step webhook call was given up, so the router may never have applied that percentage change: the
     * rollout is paused (reason {@code webhook-undelivered}) rather than left dwelling as if it had. Names the
     * endpoint (never its URL), the history event whose call was given up ({@code undeliveredSeq}) and its
     * move, the attempts made and the last error.
     */
    record WebhookUndelivered(String endpoint, long undeliveredSeq, Double fromPercentage, Double toPercentage,
            int attempts, String lastError, String instance) implements EventDetails {
        public Action action() {
            return Action.PAUSED;
        }
    }

    /** A resume starts a fresh, full dwell that ends at {@code earliestAdvanceAt}. */
    record Resumed(Instant earliestAdvanceAt) implements EventDetails {
        public Action action() {
            return Action.RESUMED;
        }
    }

    /** {@code policy} is set when a violation rolled it back; null for an operator's rollback. */
    record RolledBack(String policy) implements EventDetails {
        public Action action() {
            return Action.ROLLED_BACK;
        }
    }

    record Aborted() implements EventDetails {
        public Action action() {
            return Action.ABORTED;
        }
    }

    /**
     * An admin set rules aside for one move: {@code bypassed} lists, in the order the rules refuse,
     * "freeze", "window", "dwell" and "gates" (empty when nothing stood in the way); the freezes and their end,
     * the next window's opening, the dwell's end and the gate results show what was set aside.
     */
    record AdminOverride(List<String> bypassed, Instant earliestAdvanceAt, Long remainingSeconds, List<GateResult> gates,
            List<String> freezes, Instant frozenUntil, Instant windowOpensAt)
            implements EventDetails {

        public AdminOverride(List<String> bypassed, Instant earliestAdvanceAt, Long remainingSeconds,
                List<GateResult> gates) {
            this(bypassed, earliestAdvanceAt, remainingSeconds, gates, null, null, null);
        }

        public Action action() {
            return Action.OVERRIDE;
        }
    }

    /** An operator approved entering step {@code stepIndex} (at {@code percentage} %); the reason is the event's. */
    record Approved(int stepIndex, double percentage) implements EventDetails {
        public Action action() {
            return Action.APPROVED;
        }
    }

    /**
     * A refused advance: {@code refusal} is the problem type the caller got, {@code detail} its sentence,
     * {@code stepIndex} the step the rollout was at, {@code facts} the refusal's own fields
     * (earliestAdvanceAt, gates, state, ...), flattened into the JSON. It is the first refusal of a run of
     * identical ones; the rest of the run is recorded as {@link RefusalsRepeated} (see {@link RefusalRuns}).
     */
    record Refused(String refusal, String detail, int stepIndex, Map<String, Object> facts) implements EventDetails {
        public Action action() {
            return Action.ADVANCE_REFUSED;
        }

        @JsonIgnore
        @Override
        public Map<String, Object> facts() {
            return facts;
        }

        @JsonAnyGetter
        Map<String, Object> flattenedFacts() {
            return facts;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<GateResult> gates() {
            return (List<GateResult>) facts.get("gates");
        }
    }

    /**
     * The summary of a run of identical refusals: {@code repeats} calls refused since the run's last record
     * (its first refusal or its previous summary), the first of them at {@code firstAt}, the last at
     * {@code lastAt}. Appended when the run ends or every {@link RefusalRuns#SUMMARY_PERIOD} while it lasts.
     */
    record RefusalsRepeated(String refusal, int stepIndex, long repeats, Instant firstAt, Instant lastAt)
            implements EventDetails {
        public Action action() {
            return Action.ADVANCE_REFUSED;
        }
    }
}
