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
 * hands each to its channel, and settles it: delivered, released with a capped exponential backoff, or,
 * once the channel's bound of attempts is reached, given up (the channel decides what that means).
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
            // A batch of each channel in turn: one channel's backlog never holds up another's rows.
            int round = 0;
            for (String channel : channels.keySet()) {
                List<OutboxRow> rows = outbox.claim(instance, config.lease(), config.batchSize(), channel);
                for (OutboxRow row : rows) {
                    if (deliver(row)) {
                        delivered++;
                    }
                }
                round += rows.size();
            }
            if (round == 0) {
                break;
            }
            handled += round;
        }
        return delivered;
    }

    /** Sends one claimed row and settles it; true when it is now delivered. */
    public boolean deliver(OutboxRow row) {
        DeliveryChannel channel = channels.get(row.channel());
        if (channel != null && Backoff.exhausted(row.previousAttempts(), channel.maxAttempts())) {
            // Every allowed attempt was started; the last one's instance stopped before settling it.
            giveUp(channel, row, row.previousAttempts(), "gave up after " + row.previousAttempts()
                    + " attempts; the last one's outcome is unknown");
            return false;
        }
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
                LOG.warnf("outbox row %d (%s, %s) was delivered but its claim had expired and been taken "
                        + "over; the new holder checks the receiver before sending", row.id(), row.channel(),
                        row.source());
            }
            listener.delivered(row.channel(), d.deduplicated());
            return true;
        }
        if (result instanceof DeliveryChannel.Undeliverable u) {
            // This attempt sent nothing.
            giveUp(channel, row, row.previousAttempts(), u.error());
            return false;
        }
        DeliveryChannel.Failed f = (DeliveryChannel.Failed) result;
        listener.failed(row.channel());
        if (channel != null && Backoff.exhausted(row.attempts(), channel.maxAttempts())) {
            giveUp(channel, row, row.attempts(), f.error());
            return false;
        }
        var backoff = Backoff.after(row.attempts(), config.initialBackoff(), config.maxBackoff());
        outbox.failed(row, instance, f.error(), backoff);
        LOG.warnf("delivery of %s to %s failed (attempt %d, next in %s): %s", row.source(), row.channel(),
                row.attempts(), backoff, f.error());
        return false;
    }

    private void giveUp(DeliveryChannel channel, OutboxRow row, int attempts, String error) {
        if (channel.giveUp(row, attempts, error, instance, outbox)) {
            listener.givenUp(row.channel());
            LOG.warnf("delivery of %s to %s given up after %d attempts: %s", row.source(), row.channel(),
                    attempts, error);
        } else {
            LOG.warnf("outbox row %d (%s, %s) was to be given up but its claim had expired and been taken "
                    + "over", row.id(), row.channel(), row.source());
        }
    }

    /** Told of every settled attempt; the metrics count them. */
    public interface DeliveryListener {
        DeliveryListener NONE = new DeliveryListener() {
        };

        default void delivered(String channel, boolean deduplicated) {
        }

        default void failed(String channel) {
        }

        default void givenUp(String channel) {
        }
    }
}
