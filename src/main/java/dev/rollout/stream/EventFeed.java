package dev.rollout.stream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.rollout.wake.Topic;
import dev.rollout.wake.WakeListener;
import dev.rollout.wake.Wakeups;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * This instance's one reader of new history events, for all its streams: woken by {@link Topic#EVENTS} (an
 * append on any instance), it reads the committed events after its horizon and moves the horizon as far as
 * {@link FeedRules} proves nothing below it can still appear; streams send only up to the horizon. The
 * latest events stay in memory, so a woken stream costs no query; a stream further behind reads the
 * database up to the horizon. A read every few seconds covers notifications lost with the listening
 * connection, and a missing seq is looked at again shortly until it is settled.
 */
@ApplicationScoped
public class EventFeed {

    private static final Logger LOG = Logger.getLogger(EventFeed.class);
    static final int READ_LIMIT = 1000;
    private static final int KEPT = 4096;
    private static final Duration FALLBACK_READ = Duration.ofSeconds(5);
    private static final Duration GAP_READ = Duration.ofMillis(100);
    static final Duration READ_SPACING = Duration.ofMillis(50);

    private final EventLog log;
    private final Wakeups wakeups;
    private final StreamConfig config;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "rollout-event-feed");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean readAsked = new AtomicBoolean();
    /** When the latest read started ({@link System#nanoTime()}); only the reader's thread writes it. */
    private volatile long lastReadStarted = System.nanoTime() - READ_SPACING.toNanos();
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
    private final Map<Long, FeedRules.Missing> missing = new HashMap<>();

    /** Every seq up to it is final; -1 until the first one is proven. */
    private volatile long horizon = -1;
    /** Kept: the events with {@code floor < seq <= horizon}, oldest first. */
    private final ArrayDeque<LoggedEvent> kept = new ArrayDeque<>();
    private long floor;
    /** At start: the sequence's value and the transaction id bound to wait out before it is the first horizon. */
    private FeedRules.Missing start;
    private long startSeq;

    public EventFeed(EventLog log, Wakeups wakeups, StreamConfig config) {
        this.log = log;
        this.wakeups = wakeups;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        wakeups.subscribe(Topic.EVENTS, new WakeListener() {
            @Override
            public void onWake(String payload) {
                read();
            }

            @Override
            public void onReconnected() {
                read();
            }
        });
        reader.scheduleWithFixedDelay(this::read, 0, FALLBACK_READ.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        reader.shutdownNow();
    }

    /** Every seq up to the horizon is final: committed and readable, or never to come. -1 until known. */
    public long horizon() {
        return horizon;
    }

    /** Called (on the feed's thread; must return quickly) whenever the horizon moves. */
    void listen(Runnable listener) {
        listeners.add(listener);
    }

    void unlisten(Runnable listener) {
        listeners.remove(listener);
    }

    /**
     * The kept events with {@code after < seq <= upTo}, or null when some of them are no longer kept (read
     * the database instead).
     */
    synchronized List<LoggedEvent> kept(long after, long upTo) {
        if (after < floor) {
            return null;
        }
        List<LoggedEvent> events = new ArrayList<>();
        for (LoggedEvent event : kept) {
            if (event.seq() > after && event.seq() <= upTo) {
                events.add(event);
            }
        }
        return events;
    }

    /**
     * Asks for a read soon; reads asked while one is pending are one read. A read starts at most every
     * {@link #READ_SPACING} after the previous one started: the first event after a quiet spell is read at once,
     * and under a stream of changes (hundreds of wake-ups a second) one read takes what that time gathered,
     * instead of reading back to back, three queries each, at the cost of the changes themselves.
     */
    public void read() {
        if (readAsked.compareAndSet(false, true)) {
            long wait = lastReadStarted + READ_SPACING.toNanos() - System.nanoTime();
            try {
                reader.schedule(this::readNow, Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                readAsked.set(false); // stopping
            }
        }
    }

    private void readNow() {
        readAsked.set(false);
        lastReadStarted = System.nanoTime();
        try {
            boolean more;
            do {
                more = readOnce();
            } while (more);
        } catch (Exception e) {
            LOG.warnf("Reading new history events failed (%s); trying again", e.getMessage());
            reader.schedule(this::read, 1, TimeUnit.SECONDS);
            return;
        }
        if (horizon < 0 || !missing.isEmpty()) {
            reader.schedule(this::read, GAP_READ.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One read; true when it was cut short by its limit and more can be read at once. */
    private boolean readOnce() throws java.sql.SQLException {
        long last = log.lastSeq();
        EventLog.Snapshot snapshot = log.snapshot();
        long now = System.nanoTime();
        if (horizon < 0) {
            // At start nothing is kept: the first horizon is the sequence's value once every transaction that
            // could hold a seq up to it has ended.
            if (start == null) {
                start = new FeedRules.Missing(snapshot.idBound(), now);
                startSeq = last;
            }
            if (snapshot.xmin() >= start.idBound() || now - start.firstMissedNanos() >= config.gapTimeout().toNanos()) {
                synchronized (this) {
                    floor = startSeq;
                }
                horizon = startSeq;
                LOG.debugf("Event feed starts after seq %d", startSeq);
                notifyListeners();
                return true;
            }
            return false;
        }
        long from = horizon;
        List<LoggedEvent> read = log.read(from, last, null, READ_LIMIT);
        long[] seqs = read.stream().mapToLong(LoggedEvent::seq).toArray();
        List<Long> givenUp = new ArrayList<>();
        long moved = FeedRules.advance(from, last, seqs, read.size() < READ_LIMIT, snapshot.xmin(), snapshot.idBound(),
                missing, now, config.gapTimeout(), givenUp);
        for (Long seq : givenUp) {
            LOG.warnf("History seq %d was taken by a transaction still open after %s; streams go on without it",
                    seq, config.gapTimeout());
        }
        if (moved == from) {
            return false;
        }
        synchronized (this) {
            for (LoggedEvent event : read) {
                if (event.seq() <= moved) {
                    kept.addLast(event);
                }
            }
            while (kept.size() > KEPT) {
                floor = kept.removeFirst().seq();
            }
        }
        horizon = moved;
        notifyListeners();
        return read.size() == READ_LIMIT;
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("An event stream listener failed", e);
            }
        }
    }
}
