package dev.rollout.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The per-rollout gauges are bounded: with more active rollouts than rollout.metrics.rollout-gauges-max, every
 * rollout keeps its rollout_percentage (the contract's percentage per rollout) and the other five series are
 * withdrawn (a scrape of all six for 100,000 rollouts ran the heap out), rollout_gauges_withheld says so, and
 * they all come back, with their current values, once few enough rollouts are active.
 */
class RolloutGaugesBoundTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final RolloutGauges gauges = new RolloutGauges(registry, null, config(2));

    @Test
    void aboveTheBoundAllButThePercentageIsWithdrawnAndComesBackBelowIt() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        gauges.update(snapshot(a, RolloutState.PROGRESSING, 5));
        gauges.update(snapshot(b, RolloutState.PROGRESSING, 10));
        assertEquals(12, perRolloutSeries(), "two active rollouts, bound two: six series each");
        assertEquals(0, withheld());

        gauges.update(snapshot(c, RolloutState.PAUSED, 25));
        assertEquals(3, perRolloutSeries(), "three active rollouts, bound two: only their percentages");
        assertEquals(3, series("rollout.percentage"));
        assertEquals(0, series("rollout.paused"));
        assertEquals(0, series("rollout.last.change.timestamp"));
        assertEquals(1, withheld());

        gauges.update(snapshot(a, RolloutState.PROGRESSING, 50)); // moves while withheld
        assertEquals(50, percentage(a), "the percentage stays current over the bound");
        gauges.update(snapshot(b, RolloutState.COMPLETED, 100));
        assertEquals(12, perRolloutSeries(), "two active again: six series each");
        assertEquals(0, withheld());
        assertEquals(1, registry.get("rollout.paused").tag("rollout_id", c.toString()).gauge().value(),
                "shown with the state it has now");
        assertEquals(25, percentage(c));
    }

    @Test
    void withinTheBoundNothingIsWithheld() {
        gauges.update(snapshot(UUID.randomUUID(), RolloutState.PROGRESSING, 5));
        assertEquals(1, series("rollout.percentage"));
        assertEquals(6, perRolloutSeries(), "six series per rollout");
        assertEquals(0, withheld());
    }

    private long perRolloutSeries() {
        return registry.getMeters().stream().filter(m -> m.getId().getTag("rollout_id") != null).count();
    }

    private long series(String name) {
        return registry.find(name).gauges().size();
    }

    private double percentage(UUID id) {
        return registry.get("rollout.percentage").tag("rollout_id", id.toString()).gauge().value();
    }

    private double withheld() {
        return registry.get("rollout.gauges.withheld").gauge().value();
    }

    private static RolloutGauges.Snapshot snapshot(UUID id, RolloutState state, double percentage) {
        return new RolloutGauges.Snapshot(id, "plan", "target-" + id, "MANUAL", state, percentage, T0,
                T0.plus(Duration.ofMinutes(10)), T0, false);
    }

    private static MetricsConfig config(int max) {
        return new MetricsConfig() {
            @Override
            public Duration refreshInterval() {
                return Duration.ofSeconds(15);
            }

            @Override
            public int rolloutGaugesMax() {
                return max;
            }
        };
    }
}
