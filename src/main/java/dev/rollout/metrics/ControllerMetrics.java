package dev.rollout.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import dev.rollout.grafana.GrafanaAnnotations;
import dev.rollout.history.Action;
import dev.rollout.history.EventDetails;
import dev.rollout.outbox.CoalescedRefusal;
import dev.rollout.outbox.Outbox;
import dev.rollout.outbox.OutboxDeliverer;
import dev.rollout.outbox.RolloutEvent;
import dev.rollout.plan.ViolationPolicy;
import dev.rollout.webhook.StepWebhooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The controller's own metrics, counted from committed history events and from the outbox deliverer.
 *
 * <p>Gate evaluation metrics ({@code rollout_gate_evaluations_total{gate,result}},
 * {@code rollout_gate_evaluation_seconds{gate}}, {@code rollout_gate_source_up{source}}) belong to the
 * gate evaluator, which registers them where it evaluates; they are not counted here. Violations are
 * counted here, from {@code gate_violation} events, whoever records them.
 */
@ApplicationScoped
public class ControllerMetrics implements OutboxDeliverer.DeliveryListener {

    private static final String[] CHANNELS = { GrafanaAnnotations.CHANNEL, StepWebhooks.CHANNEL };

    private final MeterRegistry registry;
    private final RolloutGauges gauges;
    private final Outbox outbox;
    private final Map<String, AtomicLong> backlog = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> oldestPendingMillis = new ConcurrentHashMap<>();
    /** Looked up on every committed event: kept, rather than found again in the registry each time. */
    private final Map<Action, Counter> events = new ConcurrentHashMap<>();

    public ControllerMetrics(MeterRegistry registry, RolloutGauges gauges, Outbox outbox) {
        this.registry = registry;
        this.gauges = gauges;
        this.outbox = outbox;
    }

    void registerAtStart(@Observes StartupEvent start) {
        for (ViolationPolicy policy : ViolationPolicy.values()) {
            violations(policy.name());
        }
        for (String channel : CHANNELS) {
            // Registered up front so that a failure rate is computable before the first failure.
            failures(channel);
            givenUpCounter(channel);
            deliveries(channel, "delivered");
            deliveries(channel, "deduplicated");
            AtomicLong pending = backlog.computeIfAbsent(channel, c -> new AtomicLong());
            AtomicLong oldest = oldestPendingMillis.computeIfAbsent(channel, c -> new AtomicLong());
            Gauge.builder("rollout.outbox.backlog", pending, AtomicLong::get)
                    .description("Outbox rows not yet delivered").tag("channel", channel).register(registry);
            Gauge.builder("rollout.outbox.oldest.pending.age", oldest, a -> a.get() / 1000.0)
                    .description("Age of the oldest undelivered outbox row").baseUnit("seconds")
                    .tag("channel", channel).register(registry);
        }
    }

    /** Counts only what committed: observed after the event's transaction succeeded. */
    void onEvent(@Observes(during = TransactionPhase.AFTER_SUCCESS) RolloutEvent event) {
        events.computeIfAbsent(event.action(), action -> Counter.builder("rollout.events")
                .description("History events, by action").tag("action", action.wireName()).register(registry))
                .increment();
        switch (event.action()) {
            case STEP -> Counter.builder("rollout.step.transitions")
                    .description("Steps entered (percentage increases)")
                    .tags("plan", event.plan(), "target", event.target()).register(registry).increment();
            case ADVANCE_REFUSED -> {
                // A summary of repeated refusals counts nothing: its calls were counted as they were refused.
                if (event.details() instanceof EventDetails.Refused) {
                    refusals(event.reason(), event.plan()).increment();
                }
            }
            case GATE_VIOLATION -> violations(((EventDetails.Violation) event.details()).policy()).increment();
            case OVERRIDE -> {
                List<String> bypassed = ((EventDetails.AdminOverride) event.details()).bypassed();
                Counter.builder("rollout.overrides").description("Admin overrides of an advance, by the rules set aside")
                        .tag("bypassed", bypassed.isEmpty() ? "none" : String.join("+", bypassed))
                        .register(registry).increment();
            }
            default -> {
            }
        }
        RolloutEvent.Rollout r = event.rollout();
        gauges.update(new RolloutGauges.Snapshot(event.rolloutId(), event.plan(), event.target(),
                event.mode().name(), r.state(), r.currentPercentage(), r.dwellStartedAt(), r.earliestAdvanceAt(),
                event.action() == Action.ADVANCE_REFUSED ? null : event.at(), r.awaitingApproval()));
    }

    /** A refused call that the history only counted (it repeated its run's last refusal). */
    void onCoalescedRefusal(@Observes(during = TransactionPhase.AFTER_SUCCESS) CoalescedRefusal refusal) {
        refusals(refusal.reason(), refusal.plan()).increment();
    }

    /** Every refused advance call, whether the history recorded it as a row or only counted it in a run. */
    private Counter refusals(String reason, String plan) {
        return Counter.builder("rollout.advance.refusals")
                .description("Advance requests refused, by reason (too-early, gates-failing, not-progressing, ...)")
                .tags("reason", reason == null ? "unknown" : reason, "plan", plan).register(registry);
    }

    private Counter violations(String policy) {
        return Counter.builder("rollout.violations")
                .description("Gate violations, by the policy applied (PAUSE or ROLLBACK)")
                .tag("policy", policy).register(registry);
    }

    @Override
    public void delivered(String channel, boolean deduplicated) {
        deliveries(channel, deduplicated ? "deduplicated" : "delivered").increment();
    }

    @Override
    public void failed(String channel) {
        failures(channel).increment();
    }

    @Override
    public void givenUp(String channel) {
        givenUpCounter(channel).increment();
    }

    private Counter givenUpCounter(String channel) {
        return Counter.builder("rollout.outbox.given.up")
                .description("Outbox rows given up after their last attempt (step webhooks: each pauses its rollout)")
                .tag("channel", channel).register(registry);
    }

    private Counter deliveries(String channel, String outcome) {
        return Counter.builder("rollout.outbox.deliveries")
                .description("Outbox rows settled as delivered; deduplicated = found already at the receiver")
                .tags("channel", channel, "outcome", outcome).register(registry);
    }

    private Counter failures(String channel) {
        return Counter.builder("rollout.outbox.delivery.failures")
                .description("Failed delivery attempts (each is retried with backoff)")
                .tag("channel", channel).register(registry);
    }

    /** Reads the backlog from the database: every instance reports the same, whoever queued the rows. */
    public void refreshBacklog() {
        Map<String, Outbox.Backlog> now = outbox.backlog();
        for (String channel : CHANNELS) {
            Outbox.Backlog b = now.getOrDefault(channel, new Outbox.Backlog(0, 0));
            backlog.computeIfAbsent(channel, c -> new AtomicLong()).set(b.pending());
            oldestPendingMillis.computeIfAbsent(channel, c -> new AtomicLong()).set((long) (b.oldestAgeSeconds() * 1000));
        }
    }
}
