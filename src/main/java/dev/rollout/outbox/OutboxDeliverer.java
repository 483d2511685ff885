package dev.rollout.outbox;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.rollout.rollout.WatchConfig;

/**
 * Sends what the outbox holds. Each pass claims due rows (a lease, committed before anything is sent),
 * hands each to its channel, and settles it: delivered, or released with a capped exponential backoff.
 * Delivery runs on the scheduler's thread, never on a request's: a slow or dead receiver delays only
 * the deliveries, never a rollout.
 */
@ApplicationScoped
public class OutboxDeliverer {

    private static final Logger LOG = Logger.getLogger(OutboxDeliverer.class);
    /** Upper bound of rows one pass sends, so a pass ends even when events arrive faster than they leave. */
    private static final int MAX_PER_PASS = 5000;

    private final Outbox outbox;
    private final OutboxConfig config;
    private final Map<String, DeliveryChannel> channels = new HashMap<>();
    private final DeliveryListener listener;
    private final String instance;

    @Inject
    public OutboxDeliverer(Outbox outbox, OutboxConfig config, Instance<DeliveryChannel> channels,
            Instance<DeliveryListener> listeners, WatchConfig watch) {
        this(outbox, config, channels, listeners.isResolvable() ? listeners.get() : DeliveryListener.NONE,
                "outbox:" + watch.instanceName());
    }

    /** A deliverer with its own instance name: what a second instance of the service would run. */
    public OutboxDeliverer(Outbox outbox, OutboxConfig config, Iterable<DeliveryChannel> channels,
            DeliveryListener listener, String instance) {
        this.outbox = outbox;
        this.config = config;
        channels.forEach(c -> this.channels.put(c.name(), c));
        this.listener = listener;
        this.instance = instance;
    }

    /** Delivers everything due now; returns how many rows were settled as delivered. */
    public int runOnce() {
        int delivered = 0;
        int handled = 0;
        while (handled < MAX_PER_PASS) {
            List<OutboxRow> rows = outbox.claim(instance, config.lease(), config.batchSize());
            if (rows.isEmpty()) {
                break;
            }
            for (OutboxRow row : rows) {
                if (deliver(row)) {
                    delivered++;
                }
            }
            handled += rows.size();
        }
        return delivered;
    }

    /** Sends one claimed row and settles it; true when it is now delivered. */
    public boolean deliver(OutboxRow row) {
        DeliveryChannel channel = channels.get(row.channel());
        DeliveryChannel.Result result;
        if (channel == null) {
            result = new DeliveryChannel.Failed("no channel named '" + row.channel() + "' in this instance");
        } else {
            try {
                result = channel.deliver(row);
            } catch (RuntimeException e) {
                result = new DeliveryChannel.Failed(e.getClass().getSimpleName());
            }
        }
        if (result instanceof DeliveryChannel.Delivered d) {
            if (!outbox.delivered(row, instance, d.externalId(), d.deduplicated())) {
                LOG.warnf("outbox row %d (%s, event %d) was delivered but its claim had expired and been taken "
                        + "over; the new holder checks the receiver before sending", row.id(), row.channel(),
                        row.eventSeq());
            }
            listener.delivered(row.channel(), d.deduplicated());
            return true;
        }
        DeliveryChannel.Failed f = (DeliveryChannel.Failed) result;
        var backoff = Backoff.after(row.attempts(), config.initialBackoff(), config.maxBackoff());
        outbox.failed(row, instance, f.error(), backoff);
        listener.failed(row.channel());
        LOG.warnf("delivery of event %d to %s failed (attempt %d, next in %s): %s", row.eventSeq(), row.channel(),
                row.attempts(), backoff, f.error());
        return false;
    }

    /** Told of every settled attempt; the metrics count them. */
    public interface DeliveryListener {
        DeliveryListener NONE = new DeliveryListener() {
        };

        default void delivered(String channel, boolean deduplicated) {
        }

        default void failed(String channel) {
        }
    }
}
