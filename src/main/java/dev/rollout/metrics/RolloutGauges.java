package dev.rollout.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rollout.rollout.RolloutState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * One set of gauges per active (PROGRESSING or PAUSED) rollout, labelled rollout_id, plan, target and
 * mode. A rollout's gauges are removed as soon as it finishes, so the number of series stays bounded by
 * the number of active rollouts (at most one per target). Kept current from committed events on this
 * instance and reconciled with the database on a schedule, so every instance reports every rollout,
 * whichever instance moved it.
 */
@ApplicationScoped
public class RolloutGauges {

    /** A finished rollout is not re-added by a reconciliation that read the database before it finished. */
    private static final Duration TOMBSTONE = Duration.ofMinutes(10);

    private final MeterRegistry registry;
    private final ActiveRolloutRepository rollouts;
    private final Map<UUID, Tracked> tracked = new HashMap<>();
    private final Map<UUID, Instant> finished = new HashMap<>();

    public RolloutGauges(MeterRegistry registry, ActiveRolloutRepository rollouts) {
        this.registry = registry;
        this.rollouts = rollouts;
    }

    /** What the gauges of one rollout show; a null lastChangeAt keeps the one already shown. */
    public record Snapshot(UUID id, String plan, String target, String mode, RolloutState state,
            double percentage, Instant dwellStartedAt, Instant earliestAdvanceAt, Instant lastChangeAt,
            boolean awaitingApproval) {
    }

    private static final class Tracked {
        volatile Snapshot snapshot;
        final List<Meter> meters = new ArrayList<>();

        Tracked(Snapshot snapshot) {
            this.snapshot = snapshot;
        }
    }

    /** Shows a rollout's new state, or removes its gauges when it is no longer active. */
    public synchronized void update(Snapshot snapshot) {
        if (!snapshot.state().isActive()) {
            finished.put(snapshot.id(), Instant.now());
            remove(snapshot.id());
            return;
        }
        Tracked current = tracked.get(snapshot.id());
        if (snapshot.lastChangeAt() == null) {
            Instant kept = current != null ? current.snapshot.lastChangeAt() : snapshot.dwellStartedAt();
            snapshot = new Snapshot(snapshot.id(), snapshot.plan(), snapshot.target(), snapshot.mode(),
                    snapshot.state(), snapshot.percentage(), snapshot.dwellStartedAt(), snapshot.earliestAdvanceAt(),
                    kept, snapshot.awaitingApproval());
        }
        if (current == null) {
            register(snapshot);
        } else {
            current.snapshot = snapshot;
        }
    }

    /** Makes the gauges match the database's active rollouts. */
    public void reconcile() {
        List<Snapshot> active = QuarkusTransaction.requiringNew().call(rollouts::active);
        synchronized (this) {
            Instant now = Instant.now();
            finished.values().removeIf(at -> at.plus(TOMBSTONE).isBefore(now));
            Set<UUID> seen = new HashSet<>();
            for (Snapshot s : active) {
                if (finished.containsKey(s.id())) {
                    continue;
                }
                seen.add(s.id());
                Tracked current = tracked.get(s.id());
                if (current == null) {
                    register(s);
                } else if (!s.lastChangeAt().isBefore(current.snapshot.lastChangeAt())) {
                    current.snapshot = s;
                }
            }
            for (UUID id : new ArrayList<>(tracked.keySet())) {
                if (!seen.contains(id)) {
                    remove(id);
                }
            }
        }
    }

    private void register(Snapshot s) {
        Tracked t = new Tracked(s);
        Tags tags = Tags.of("rollout_id", s.id().toString(), "plan", s.plan(), "target", s.target(), "mode", s.mode());
        t.meters.add(Gauge.builder("rollout.percentage", t, x -> x.snapshot.percentage())
                .description("Percentage of traffic the new version of an active rollout gets")
                .tags(tags).strongReference(true).register(registry));
        t.meters.add(Gauge.builder("rollout.paused", t, x -> x.snapshot.state() == RolloutState.PAUSED ? 1 : 0)
                .description("1 while an active rollout is PAUSED, 0 while it is PROGRESSING")
                .tags(tags).strongReference(true).register(registry));
        t.meters.add(Gauge.builder("rollout.awaiting.approval", t, x -> x.snapshot.awaitingApproval() ? 1 : 0)
                .description("1 while the next step of an active rollout needs an operator's approval it does not "
                        + "have yet, else 0; count(max by (rollout_id) (rollout_awaiting_approval == 1)) counts them")
                .tags(tags).strongReference(true).register(registry));
        t.meters.add(Gauge.builder("rollout.dwell.started.timestamp", t, x -> seconds(x.snapshot.dwellStartedAt()))
                .description("Start of the current step's dwell window (step entry or last resume), Unix time")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        t.meters.add(Gauge.builder("rollout.step.dwell", t,
                        x -> Duration.between(x.snapshot.dwellStartedAt(), x.snapshot.earliestAdvanceAt()).toMillis() / 1000.0)
                .description("Minimum dwell of the current step (including the final bake on the last step)")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        t.meters.add(Gauge.builder("rollout.last.change.timestamp", t, x -> seconds(x.snapshot.lastChangeAt()))
                .description("Last time the rollout changed (start, step, pause, resume), Unix time")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        tracked.put(s.id(), t);
    }

    private void remove(UUID id) {
        Tracked t = tracked.remove(id);
        if (t != null) {
            t.meters.forEach(registry::remove);
        }
    }

    private static double seconds(Instant at) {
        return at.toEpochMilli() / 1000.0;
    }
}
