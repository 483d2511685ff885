package dev.rollout.stream;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

/**
 * One client's stream. {@code position}: every event up to it has been sent or filtered out; the stream
 * catches up to the feed's horizon, from the feed's memory or, when further behind, from the database in
 * pages, one catch-up at a time (a wake during one makes it go again), so events go out in seq order, each
 * once.
 */
final class EventStream {

    private static final Logger LOG = Logger.getLogger(EventStream.class);
    private static final int PAGE = 500;

    private final EventStreams streams;
    private final EventStreams.Filter filter;
    private final String credential;
    private final SseEventSink sink;
    private final Sse sse;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long position;
    private volatile boolean closed;

    EventStream(EventStreams streams, EventStreams.Filter filter, String credential, long position,
            SseEventSink sink, Sse sse) {
        this.streams = streams;
        this.filter = filter;
        this.credential = credential;
        this.position = position;
        this.sink = sink;
        this.sse = sse;
    }

    String credential() {
        return credential;
    }

    boolean isClosed() {
        return closed || sink.isClosed();
    }

    /** The first bytes: the response's headers go out with them, so a client knows the stream is open. */
    void opened() {
        comment("stream open");
    }

    void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            try {
                streams.senders().execute(this::catchUp);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                running.set(false); // stopping
            }
        }
    }

    private void catchUp() {
        try {
            while (again.getAndSet(false) && !isClosed()) {
                long horizon = streams.feed().horizon();
                if (horizon < 0) {
                    continue;
                }
                if (position < 0) {
                    position = horizon; // no Last-Event-ID: the events from now on
                }
                while (position < horizon && !isClosed()) {
                    long from = position;
                    List<LoggedEvent> events = streams.feed().kept(from, horizon);
                    long reached = horizon;
                    if (events == null) {
                        events = streams.reserve().withPermit(() -> read(from, horizon));
                        if (events.size() == PAGE) {
                            reached = events.get(events.size() - 1).seq();
                        }
                    }
                    for (LoggedEvent event : events) {
                        if (filter.matches(event)) {
                            send(event);
                        }
                    }
                    position = reached;
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("An event stream failed (%s); closing it so its client reconnects", e.getMessage());
            streams.closed(this);
        } finally {
            running.set(false);
            if (again.get() && !isClosed()) {
                wake();
            }
        }
    }

    private List<LoggedEvent> read(long from, long upTo) {
        try {
            return streams.log().read(from, upTo, filter.rolloutId(), PAGE);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not read the history: " + e.getMessage(), e);
        }
    }

    // A space after each field's colon, as the contract writes them ("id: 12"); parsers drop one such space.
    private void send(LoggedEvent event) {
        write(sse.newEventBuilder().id(" " + event.seq()).name(" " + event.action()).data(String.class,
                " " + event.data()).build());
    }

    void comment(String text) {
        write(sse.newEventBuilder().comment(" " + text).build());
    }

    private synchronized void write(OutboundSseEvent event) {
        if (isClosed()) {
            return;
        }
        sink.send(event).whenComplete((ok, failure) -> {
            if (failure != null) {
                streams.closed(this);
            }
        });
    }

    void close() {
        closed = true;
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.debugf("closing an event stream: %s", e.getMessage());
        }
    }
}
