package dev.rollout.wake;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

/**
 * Sends this instance's notifications, on a thread of its own, each batch in one autocommit statement on a
 * pooled connection. Whatever was queued while a batch was being sent goes out together in the next, so under
 * load the instance commits one notifying transaction at a time however many changes it commits; identical
 * notifications waiting together are folded. A batch that cannot be sent (database unreachable) is dropped:
 * wake-ups are hints, and every listener also re-reads on a timer.
 */
final class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    /** Notifications waiting beyond this are dropped (and counted in the log): the database is not keeping up. */
    static final int MAX_PENDING = 100_000;

    private final DataSource dataSource;
    private final Object lock = new Object();
    private Map<Topic, Set<String>> pending = new EnumMap<>(Topic.class);
    private int pendingCount;
    private int dropped;
    private boolean running;
    private boolean failing;
    private Thread thread;

    Notifier(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            running = true;
            thread = new Thread(this::sendUntilStopped, "rollout-notifier");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops after sending what is already queued. */
    void stop() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
    }

    /** Queues {@code payloads} on {@code topic}; cheap, never blocks on the database. */
    void send(Topic topic, Collection<String> payloads) {
        synchronized (lock) {
            Set<String> waiting = pending.computeIfAbsent(topic, t -> new LinkedHashSet<>());
            for (String payload : payloads) {
                if (pendingCount >= MAX_PENDING) {
                    dropped++;
                } else if (waiting.add(payload)) {
                    pendingCount++;
                }
            }
            lock.notifyAll();
        }
    }

    private void sendUntilStopped() {
        while (true) {
            Map<Topic, Set<String>> batch;
            int droppedNow;
            synchronized (lock) {
                while (pendingCount == 0 && running) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (pendingCount == 0) {
                    return; // stopped, and nothing left to send
                }
                batch = pending;
                pending = new EnumMap<>(Topic.class);
                pendingCount = 0;
                droppedNow = dropped;
                dropped = 0;
            }
            if (droppedNow > 0) {
                LOG.warnf("Dropped %d wake-ups: more than %d were waiting to be sent", droppedNow, MAX_PENDING);
            }
            send(batch);
        }
    }

    private void send(Map<Topic, Set<String>> batch) {
        List<String> channels = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        batch.forEach((topic, waiting) -> waiting.forEach(payload -> {
            channels.add(topic.channel());
            payloads.add(payload);
        }));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement notify = connection.prepareStatement(
                        "select pg_notify(n.channel, n.payload) from unnest(?, ?) as n (channel, payload)")) {
            notify.setArray(1, connection.createArrayOf("text", channels.toArray()));
            notify.setArray(2, connection.createArrayOf("text", payloads.toArray()));
            notify.execute();
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            if (failing) {
                failing = false;
                LOG.info("Wake-ups are sent again");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                failing = true; // logged once per outage, not once per batch
                LOG.warnf("Could not send %d wake-ups (%s); listeners catch up on their timers", payloads.size(),
                        e.getMessage());
            }
        }
    }
}
