package dev.rollout.gate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Gate metrics: evaluations by gate, result and whether the gate is a shadow (never enforced), evaluation
 * latency by gate, and whether each monitoring
 * source answered ({@code rollout_gate_source_up}: 0 when every gate that used it in the last evaluation
 * was an ERROR). Labels are gate and source names from plans and configuration, never queries or secrets.
 */
@ApplicationScoped
public class GateMetrics {

    static final String DEFAULT_SOURCE = "default";

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> sourceUp = new ConcurrentHashMap<>();

    public GateMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records one evaluation of {@code gates}; {@code results} are in the same order. */
    public void record(List<GateDefinition> gates, List<GateResult> results) {
        record(gates, results, 1);
    }

    /**
     * Records one evaluation of {@code gates} whose results stand for {@code rollouts} rollouts (rollouts of one
     * plan share its gates, so one evaluation answers for all of them): each rollout's evaluation is counted,
     * the latency of the one evaluation is recorded once.
     */
    public void record(List<GateDefinition> gates, List<GateResult> results, int rollouts) {
        Map<String, Boolean> answered = new HashMap<>();
        for (int i = 0; i < results.size(); i++) {
            GateResult result = results.get(i);
            Counter.builder("rollout_gate_evaluations_total").description("Gate evaluations by gate and result")
                    .tag("gate", result.name()).tag("result", result.status().name())
                    .tag("shadow", Boolean.toString(result.shadow())).register(registry).increment(rollouts);
            Timer.builder("rollout_gate_evaluation_seconds").description("Time to evaluate one gate")
                    .tag("gate", result.name()).register(registry).record(result.latency());
            String source = gates.get(i).source() == null ? DEFAULT_SOURCE : gates.get(i).source();
            answered.merge(source, result.status() != GateStatus.ERROR, Boolean::logicalOr);
        }
        answered.forEach((source, up) -> sourceUp.computeIfAbsent(source, name -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("rollout_gate_source_up", value, AtomicInteger::get)
                    .description("1 when the monitoring source answered the last gate evaluation that used it")
                    .tag("source", name).register(registry);
            return value;
        }).set(up ? 1 : 0));
    }
}
