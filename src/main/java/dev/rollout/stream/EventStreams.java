package dev.rollout.stream;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import dev.rollout.problem.ApiProblem;
import dev.rollout.rollout.ConnectionReserve;
import dev.rollout.security.TargetScope;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.RoutingContext;

/**
 * The event streams this instance serves: opens them within the bounds ({@code rollout.stream.max-streams}
 * for the instance, {@code max-streams-per-credential} for one credential), wakes them when the
 * {@link EventFeed} moves, sends every open stream a comment each {@code keep-alive}, forgets closed ones,
 * and closes them all on shutdown so clients reconnect elsewhere. An open stream holds no connection and no
 * thread: sends go through a small pool, reads of the database for a stream far behind take a connection
 * permit for each read.
 */
@ApplicationScoped
public class EventStreams {

    private static final Logger LOG = Logger.getLogger(EventStreams.class);
    static final String TOO_MANY = "too-many-streams";
    static final int RETRY_AFTER_SECONDS = 5;

    private final EventFeed feed;
    private final EventLog log;
    private final ConnectionReserve reserve;
    private final StreamConfig config;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perCredential = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ExecutorService senders = Executors.newFixedThreadPool(2, daemon("rollout-stream"));
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(
            daemon("rollout-stream-keep-alive"));

    public EventStreams(EventFeed feed, EventLog log, ConnectionReserve reserve, StreamConfig config,
            MeterRegistry registry) {
        Gauge.builder("rollout.event.streams", open, Set::size).description("event streams this instance serves now")
                .register(registry);
        this.feed = feed;
        this.log = log;
        this.reserve = reserve;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        feed.listen(() -> open.forEach(EventStream::wake));
        long every = config.keepAlive().toMillis();
        keepAlive.scheduleAtFixedRate(this::keepAlive, every, every, TimeUnit.MILLISECONDS);
    }

    /** What a stream shows: one rollout's events, or every event of a target the credential may see. */
    public record Filter(UUID rolloutId, TargetScope scope) {

        boolean matches(LoggedEvent event) {
            return rolloutId != null ? rolloutId.equals(event.rolloutId()) : scope.allows(event.target());
        }
    }

    /**
     * Opens a stream for {@code credential} on {@code sink}: the events after {@code lastEventId} (the
     * {@code Last-Event-ID} header, already validated; null for only the events from now on) that
     * {@code filter} matches. 429 {@code too-many-streams} beyond the bounds, before anything is sent.
     */
    public void open(String credential, Filter filter, Long lastEventId, SseEventSink sink, Sse sse,
            RoutingContext http) {
        if (stopping.get()) {
            throw tooMany("this instance is shutting down; reconnect to another");
        }
        if (total.incrementAndGet() > config.maxStreams()) {
            total.decrementAndGet();
            throw tooMany("this instance serves " + config.maxStreams() + " streams already; retry in "
                    + RETRY_AFTER_SECONDS + " s");
        }
        boolean[] admitted = {false};
        perCredential.compute(credential, (name, count) -> {
            int open = count == null ? 0 : count;
            if (open >= config.maxStreamsPerCredential()) {
                return count;
            }
            admitted[0] = true;
            return open + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            throw tooMany("this credential has " + config.maxStreamsPerCredential() + " streams open on this "
                    + "instance already; close one first");
        }
        // Without Last-Event-ID: from the horizon as the stream opens (-1 before the feed has one: its first).
        long position = lastEventId != null ? lastEventId : feed.horizon();
        EventStream stream = new EventStream(this, filter, credential, position, sink, sse);
        open.add(stream);
        if (http != null) {
            http.addEndHandler(ended -> closed(stream));
            reserve.leave(http); // an open stream uses the database only to catch up, with a permit per read
        }
        stream.opened();
        stream.wake();
    }

    /** Streams open now on this instance. */
    public int openStreams() {
        return open.size();
    }

    void closed(EventStream stream) {
        if (open.remove(stream)) {
            total.decrementAndGet();
            // An entry per credential with streams open, none for the others.
            perCredential.computeIfPresent(stream.credential(), (name, count) -> count <= 1 ? null : count - 1);
            stream.close();
        }
    }

    EventFeed feed() {
        return feed;
    }

    EventLog log() {
        return log;
    }

    ConnectionReserve reserve() {
        return reserve;
    }

    ExecutorService senders() {
        return senders;
    }

    private void keepAlive() {
        for (EventStream stream : open) {
            if (stream.isClosed()) {
                closed(stream);
            } else {
                stream.comment("keep-alive");
            }
        }
    }

    /**
     * On shutdown every stream ends cleanly (its last chunk sent), so its client reconnects elsewhere: when
     * shutdown begins (before the HTTP server waits for requests in flight), and again on {@link ShutdownEvent}.
     */
    void shuttingDown(@Observes ShutdownDelayInitiatedEvent begins) {
        stop(null);
    }

    void stop(@Observes @Priority(1) ShutdownEvent stopping) {
        this.stopping.set(true);
        keepAlive.shutdownNow();
        for (EventStream stream : open) {
            closed(stream);
        }
        senders.shutdown();
        LOG.debug("Event streams closed");
    }

    private static ApiProblem tooMany(String detail) {
        return new ApiProblem(429, TOO_MANY, "Too many streams", detail)
                .with("retryAfterSeconds", RETRY_AFTER_SECONDS)
                .header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
