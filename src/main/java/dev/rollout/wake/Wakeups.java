package dev.rollout.wake;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The one way an instance wakes the others (and itself) at once: PostgreSQL {@code LISTEN/NOTIFY}.
 * {@link #publish} queues a notification that goes out only if the caller's transaction commits, sent
 * right after the commit by this instance's {@link Notifier}; one dedicated connection (outside the pool, so
 * it never starves requests) listens and hands each notification to the listeners of its {@link Topic}.
 * After the connection is lost, it reconnects with a back-off and tells every listener
 * {@link WakeListener#onReconnected()}, because notifications sent meanwhile are gone.
 */
@ApplicationScoped
public class Wakeups {

    private static final Logger LOG = Logger.getLogger(Wakeups.class);
    private static final int POLL_MILLIS = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** The key of a transaction's notifications still to send, in the transaction's resources. */
    private static final Object PENDING = new Object();

    private final TransactionSynchronizationRegistry transactions;
    private final Notifier notifier;
    private final String url;
    private final String user;
    private final String password;
    private final Map<Topic, List<WakeListener>> listeners = new EnumMap<>(Topic.class);
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Thread thread;

    public Wakeups(DataSource dataSource, TransactionSynchronizationRegistry transactions,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.transactions = transactions;
        this.notifier = new Notifier(dataSource);
        this.url = url;
        this.user = user;
        this.password = password.orElse(""); // unset (trust authentication) reads as empty, not as missing
        for (Topic topic : Topic.values()) {
            listeners.put(topic, new CopyOnWriteArrayList<>());
        }
    }

    /** Registers {@code listener} for {@code topic}; from then on it hears every instance's notifications. */
    public void subscribe(Topic topic, WakeListener listener) {
        listeners.get(topic).add(listener);
    }

    public void unsubscribe(Topic topic, WakeListener listener) {
        listeners.get(topic).remove(listener);
    }

    /**
     * Notifies every instance once the caller's transaction commits (never if it rolls back); outside a
     * transaction, at once. The notification is handed to this instance's {@link Notifier}, which sends it from
     * a transaction of its own: a change never sends {@code NOTIFY} itself, because PostgreSQL serialises the
     * commits of transactions that notify (one lock on the notification queue), which would make every change
     * of every rollout wait for every other. The price: an instance that dies between a commit and the send
     * loses that wake-up; listeners also re-read on timers of their own, so it is late, never lost for good.
     */
    public void publish(Topic topic, String payload) {
        publishAll(topic, List.of(payload));
    }

    /** As {@link #publish}, for many payloads: one notification each (identical ones may be folded into one). */
    public void publishAll(Topic topic, Collection<String> payloads) {
        if (payloads.isEmpty()) {
            return;
        }
        int status = transactions.getTransactionStatus();
        if (status == Status.STATUS_NO_TRANSACTION) {
            notifier.send(topic, payloads);
            return;
        }
        if (status != Status.STATUS_ACTIVE) {
            return; // marked for rollback: it will never commit
        }
        @SuppressWarnings("unchecked")
        Map<Topic, Set<String>> pending = (Map<Topic, Set<String>>) transactions.getResource(PENDING);
        if (pending == null) {
            Map<Topic, Set<String>> created = new EnumMap<>(Topic.class);
            transactions.putResource(PENDING, created);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        created.forEach(notifier::send);
                    }
                }
            });
            pending = created;
        }
        pending.computeIfAbsent(topic, t -> new LinkedHashSet<>()).addAll(payloads);
    }

    void start(@Observes StartupEvent started) {
        if (running.compareAndSet(false, true)) {
            thread = new Thread(this::listenUntilStopped, "rollout-wakeups");
            thread.setDaemon(true);
            thread.start();
            notifier.start();
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        running.set(false);
        notifier.stop();
        Thread listening = thread;
        if (listening != null) {
            listening.interrupt();
        }
    }

    private void listenUntilStopped() {
        Duration backoff = Duration.ofMillis(100);
        boolean connectedBefore = false;
        while (running.get()) {
            try (Connection connection = connect()) {
                try (Statement listen = connection.createStatement()) {
                    for (Topic topic : Topic.values()) {
                        listen.execute("listen " + topic.channel());
                    }
                }
                if (connectedBefore) {
                    LOG.info("Wake-up connection restored; listeners re-read what they may have missed");
                    listeners.values().forEach(list -> list.forEach(this::reconnected));
                }
                connectedBefore = true;
                backoff = Duration.ofMillis(100);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.get()) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            dispatch(notification);
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running.get()) {
                    return;
                }
                LOG.warnf("Wake-up connection lost (%s); reconnecting in %d ms", e.getMessage(), backoff.toMillis());
                if (!pause(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "rollout-controller-wakeups");
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = DriverManager.getConnection(url, properties);
        connection.setAutoCommit(true);
        return connection;
    }

    private void dispatch(PGNotification notification) {
        for (Topic topic : Topic.values()) {
            if (topic.channel().equals(notification.getName())) {
                for (WakeListener listener : listeners.get(topic)) {
                    try {
                        listener.onWake(notification.getParameter());
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "A %s wake-up listener failed", topic);
                    }
                }
            }
        }
    }

    private void reconnected(WakeListener listener) {
        try {
            listener.onReconnected();
        } catch (RuntimeException e) {
            LOG.warn("A wake-up listener failed on reconnect", e);
        }
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
