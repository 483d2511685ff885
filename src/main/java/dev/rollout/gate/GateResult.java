package dev.rollout.gate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The result of evaluating one gate.
 *
 * @param detail      what a person needs to act on: the query and value seen, the firing alerts, or
 *                    the connection problem. Never contains credentials.
 * @param evaluatedAt when the evaluation finished, to the microsecond like every other time the API shows
 * @param latency     how long the evaluation of this gate took (metrics only; not part of the JSON form)
 */
public record GateResult(String name, GateKind kind, GateStatus status, String detail, Instant evaluatedAt,
                         @JsonIgnore Duration latency) {

    public GateResult {
        evaluatedAt = evaluatedAt == null ? null : evaluatedAt.truncatedTo(ChronoUnit.MICROS);
    }

    public boolean passed() {
        return status.passed();
    }
}
