package dev.rollout.outbox;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.EntityManager;

import dev.rollout.audit.AuditAppended;
import dev.rollout.history.DeploymentEvent;
import dev.rollout.history.EventAppended;
import dev.rollout.history.EventDetails;
import dev.rollout.history.RefusalCoalesced;
import dev.rollout.rollout.Rollout;

/**
 * Turns every appended history event, inside its own transaction, into outbox rows for each channel that
 * wants it, and announces it as a {@link RolloutEvent} (observers after commit see only committed events).
 * A refused advance that was only counted in its run of repeated refusals has no row and no deliveries; it is
 * announced as a {@link CoalescedRefusal}, so that metrics still count every refused call.
 */
@ApplicationScoped
public class EventPublisher {

    private final EntityManager em;
    private final Outbox outbox;
    /** Resolved once: the channels are application-scoped beans, fixed for the life of the instance. */
    private final List<DeliveryChannel> channels;
    private final Event<RolloutEvent> published;
    private final Event<CoalescedRefusal> coalesced;

    public EventPublisher(EntityManager em, Outbox outbox, Instance<DeliveryChannel> channels,
            Event<RolloutEvent> published, Event<CoalescedRefusal> coalesced) {
        this.em = em;
        this.outbox = outbox;
        this.channels = channels.stream().toList();
        this.published = published;
        this.coalesced = coalesced;
    }

    void onAppended(@Observes EventAppended appended) {
        RolloutEvent event = enrich(appended.event(), appended.details(), appended.rollout());
        for (DeliveryChannel channel : channels) {
            channel.payloadFor(event).ifPresent(payload ->
                    outbox.enqueue(event.seq(), event.rolloutId(), channel.name(), payload,
                            channel.withAnnotation()));
        }
        published.fire(event);
    }

    /** Audit entries that are annotated (freezes) go out on the channels that carry them, in their transaction. */
    void onAudit(@Observes AuditAppended entry) {
        if (!entry.action().annotated()) {
            return;
        }
        for (DeliveryChannel channel : channels) {
            channel.payloadForAudit(entry).ifPresent(payload -> outbox.enqueueAudit(entry.seq(), channel.name(), payload));
        }
    }

    void onCoalesced(@Observes RefusalCoalesced refusal) {
        Rollout r = refusal.rollout() != null ? refusal.rollout() : em.find(Rollout.class, refusal.event().rolloutId());
        coalesced.fire(new CoalescedRefusal(r.id, r.plan.name, refusal.event().reason()));
    }

    private RolloutEvent enrich(DeploymentEvent e, EventDetails details, Rollout changed) {
        // Given by a change made without the session; else managed in this transaction: either way, the state
        // the event leaves it in.
        Rollout r = changed != null ? changed : em.find(Rollout.class, e.rolloutId);
        return new RolloutEvent(e.seq, e.rolloutId, e.at, e.kind(), e.fromPercentage, e.toPercentage, e.actor,
                e.reason, details, r.plan.name, r.plan.version, r.plan.mode,
                r.plan.onViolation, r.plan.webhook, r.target, r.version,
                new RolloutEvent.Rollout(r.state, r.currentPercentage, r.stepIndex, r.dwellStartedAt,
                        r.earliestAdvanceAt, r.awaitsApproval()));
    }
}
