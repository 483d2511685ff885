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

import org.jboss.logging.Logger;

/**
 * One set of gauges per active (PROGRESSING or PAUSED) rollout, labelled rollout_id, plan, target and
 * mode. A rollout's gauges are removed as soon as it finishes, so the number of series stays bounded by
 * the number of active rollouts (at most one per target). Kept current from committed events on this
 * instance and reconciled with the database on a schedule, so every instance reports every rollout,
 * whichever instance moved it. Above {@link MetricsConfig#rolloutGaugesMax()} active rollouts every rollout's
 * gauges but its percentage (which the contract promises per rollout) are withdrawn, and come back once
 * there are fewer; {@code rollout_gauges_withheld} says so.
 */
@ApplicationScoped
public class RolloutGauges {

    /** A finished rollout is not re-added by a reconciliation that read the database before it finished. */
    private static final Duration TOMBSTONE = Duration.ofMinutes(10);

    private static final Logger LOG = Logger.getLogger(RolloutGauges.class);

    private final MeterRegistry registry;
    private final ActiveRolloutRepository rollouts;
    private final int max;
    private final Map<UUID, Tracked> tracked = new HashMap<>();
    private final Map<UUID, Instant> finished = new HashMap<>();
    /** Whether the tracked rollouts' gauges are registered: false while there are more than {@link #max}. */
    private volatile boolean shown = true;

    public RolloutGauges(MeterRegistry registry, ActiveRolloutRepository rollouts, MetricsConfig config) {
        this.registry = registry;
        this.rollouts = rollouts;
        this.max = config.rolloutGaugesMax();
        Gauge.builder("rollout.gauges.withheld", this, g -> g.shown ? 0 : 1)
                .description("1 while the per-rollout gauges are withdrawn because more rollouts are active than "
                        + "rollout.metrics.rollout-gauges-max, else 0")
                .register(registry);
    }

    /** What the gauges of one rollout show; a null lastChangeAt keeps the one already shown. */
    public record Snapshot(UUID id, String plan, String target, String mode, RolloutState state,
            double percentage, Instant dwellStartedAt, Instant earliestAdvanceAt, Instant lastChangeAt,
            boolean awaitingApproval) {
    }

    private static final class Tracked {
        volatile Snapshot snapshot;
        /** rollout_percentage: registered for as long as the rollout is tracked. */
        Meter percentage;
        /** The other five, registered only within the bound. */
        final List<Meter> details = new ArrayList<>();

        Tracked(Snapshot snapshot) {
            this.snapshot = snapshot;
        }
    }

    /** Shows a rollout's new state, or removes its gauges when it is no longer active. */
    public synchronized void update(Snapshot snapshot) {
        if (!snapshot.state().isActive()) {
            finished.put(snapshot.id(), Instant.now());
            remove(snapshot.id());
            bound();
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
            track(snapshot);
        } else {
            current.snapshot = snapshot;
        }
        bound();
    }

    /** Makes the gauges match the database's active rollouts. */
    public void reconcile() {
        List<Snapshot> active = QuarkusTransaction.requiringNew().call(rollouts::active);
        synchronized (this) {
            Instant now = Instant.now();
            finished.values().removeIf(at -> at.plus(TOMBSTONE).isBefore(now));
            Set<UUID> seen = new HashSet<>();
            for (Snapshot s : active) {
                if (!finished.containsKey(s.id())) {
                    seen.add(s.id());
                }
            }
            // Gone ones first, so that the tracked only grow from here on (see track).
            for (UUID id : new ArrayList<>(tracked.keySet())) {
                if (!seen.contains(id)) {
                    remove(id);
                }
            }
            for (Snapshot s : active) {
                if (!seen.contains(s.id())) {
                    continue;
                }
                Tracked current = tracked.get(s.id());
                if (current == null) {
                    track(s);
                } else if (!s.lastChangeAt().isBefore(current.snapshot.lastChangeAt())) {
                    current.snapshot = s;
                }
            }
            bound();
        }
    }

    /**
     * Tracks a rollout: its percentage gauge now, and its other gauges unless that would go over the bound. Only
     * removals make the tracked fewer, and {@link #bound} follows every change, so a rollout tracked over the
     * bound is one whose other gauges {@link #bound} withdraws with everyone's, and shows again once there are
     * few enough.
     */
    private void track(Snapshot s) {
        Tracked t = new Tracked(s);
        tracked.put(s.id(), t);
        t.percentage = Gauge.builder("rollout.percentage", t, x -> x.snapshot.percentage())
                .description("Percentage of traffic the new version of an active rollout gets")
                .tags(tags(s)).strongReference(true).register(registry);
        if (shown && tracked.size() <= max) {
            show(t);
        }
    }

    private static Tags tags(Snapshot s) {
        return Tags.of("rollout_id", s.id().toString(), "plan", s.plan(), "target", s.target(), "mode", s.mode());
    }

    /**
     * Withdraws every rollout's gauges but its percentage when there are too many, and shows them again when there
     * are few enough. Called after each change of the tracked rollouts, so a reconciliation that finds 100,000 never
     * registers more than the bound's worth of series on its way.
     */
    private void bound() {
        boolean within = tracked.size() <= max;
        if (within == shown) {
            return;
        }
        shown = within;
        if (within) {
            tracked.values().forEach(this::show);
            LOG.infof("%d active rollouts, at most rollout.metrics.rollout-gauges-max (%d): all per-rollout gauges "
                    + "shown again",
                    tracked.size(), max);
        } else {
            tracked.values().forEach(this::hide);
            LOG.warnf("%d active rollouts, more than rollout.metrics.rollout-gauges-max (%d): per-rollout gauges "
                    + "other than rollout_percentage withdrawn until there are at most that many (rollout_gauges_withheld is 1)", tracked.size(), max);
        }
    }

    /** Registers a rollout's gauges other than its percentage. */
    private void show(Tracked t) {
        Tags tags = tags(t.snapshot);
        t.details.add(Gauge.builder("rollout.paused", t, x -> x.snapshot.state() == RolloutState.PAUSED ? 1 : 0)
                .description("1 while an active rollout is PAUSED, 0 while it is PROGRESSING")
                .tags(tags).strongReference(true).register(registry));
        t.details.add(Gauge.builder("rollout.awaiting.approval", t, x -> x.snapshot.awaitingApproval() ? 1 : 0)
                .description("1 while the next step of an active rollout needs an operator's approval it does not "
                        + "have yet, else 0; count(max by (rollout_id) (rollout_awaiting_approval == 1)) counts them")
                .tags(tags).strongReference(true).register(registry));
        t.details.add(Gauge.builder("rollout.dwell.started.timestamp", t, x -> seconds(x.snapshot.dwellStartedAt()))
                .description("Start of the current step's dwell window (step entry or last resume), Unix time")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        t.details.add(Gauge.builder("rollout.step.dwell", t,
                        x -> Duration.between(x.snapshot.dwellStartedAt(), x.snapshot.earliestAdvanceAt()).toMillis() / 1000.0)
                .description("Minimum dwell of the current step (including the final bake on the last step)")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        t.details.add(Gauge.builder("rollout.last.change.timestamp", t, x -> seconds(x.snapshot.lastChangeAt()))
                .description("Last time the rollout changed (start, step, pause, resume), Unix time")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
    }

    private void hide(Tracked t) {
        t.details.forEach(registry::remove);
        t.details.clear();
    }

    private void remove(UUID id) {
        Tracked t = tracked.remove(id);
        if (t != null) {
            hide(t);
            registry.remove(t.percentage);
        }
    }

    private static double seconds(Instant at) {
        return at.toEpochMilli() / 1000.0;
    }
}
