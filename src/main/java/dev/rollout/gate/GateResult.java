package dev.rollout.gate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The result of evaluating one gate.
 *
 * @param detail      what a person needs to act on: the query and value seen, the firing alerts, or
 *                    the connection problem. Never contains credentials.
 * @param evaluatedAt when the evaluation finished, to the microsecond like every other time the API shows
 * @param latency     how long the evaluation of this gate took (metrics only; not part of the JSON form)
 * @param shadow      the gate is a shadow: shown and recorded, never blocking and never applying a policy
 * @param evidence    what was asked, what was observed and what a pass needs; null only in results recorded
 *                    before evidence was kept
 */
public record GateResult(String name, GateKind kind, GateStatus status, String detail, Instant evaluatedAt,
                         @JsonIgnore Duration latency, boolean shadow, GateEvidence evidence) {

    @JsonCreator
    public GateResult {
        evaluatedAt = evaluatedAt == null ? null : evaluatedAt.truncatedTo(ChronoUnit.MICROS);
    }

    /** An enforced gate's result without evidence. */
    public GateResult(String name, GateKind kind, GateStatus status, String detail, Instant evaluatedAt,
            Duration latency) {
        this(name, kind, status, detail, evaluatedAt, latency, false, null);
    }

    public boolean passed() {
        return status.passed();
    }

    /** An enforced gate (not a shadow) that did not pass: it blocks advances. */
    public boolean blocks() {
        return !shadow && !status.passed();
    }
}
