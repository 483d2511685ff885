package dev.rollout.rollout;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Problems;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps part of the connection pool for the controller's own work (the watch that pauses and rolls back,
 * the outbox, the gauges): API requests together hold at most {@code pool size - reserved} permits, one per
 * request from before it is authenticated until its response has ended, so however many requests arrive,
 * {@code rollout.watch.reserved-connections} connections stay free for the watch. A request that finds
 * no permit within the pool's own acquisition timeout is answered 503 with {@code Retry-After}, as it
 * would be had it waited for a connection.
 *
 * <p>The pool's size and acquisition timeout are Quarkus' own settings, read as Quarkus declares them;
 * application.properties sets them.
 *
 * <p>One pool with a reserve rather than a second datasource: the watch changes rollouts through the same
 * entities and transactions as requests do, which a second persistence unit would have to duplicate.
 * A request is assumed to hold at most one connection at a time (one transaction at a time); a request
 * that waits for long without using the database (a held advance, an event stream) should give its permit
 * back first with {@link #leave(RoutingContext)}.
 *
 * <p>Requests whose method reads on the read pool only ({@link OnReadPool}, the event loop's reads of
 * {@code dev.rollout.db.ReadPool}) take no permit: that pool is a separate, bounded one, so they cannot take
 * the watch's connections either; what they do on the JDBC pool besides takes a permit with
 * {@link #withPermit}.
 */
@ApplicationScoped
public class ConnectionReserve {

    private static final Logger LOG = Logger.getLogger(ConnectionReserve.class);
    private static final String HELD = ConnectionReserve.class.getName() + ".held";

    private final Semaphore permits;
    private final int requestShare;
    private final Duration wait;

    public ConnectionReserve(@ConfigProperty(name = "quarkus.datasource.jdbc.max-size") int poolSize,
            @ConfigProperty(name = "quarkus.datasource.jdbc.acquisition-timeout") Duration wait,
            WatchConfig watch) {
        int reserved = watch.reservedConnections();
        if (reserved < 0 || reserved >= poolSize) {
            throw new IllegalStateException("rollout.watch.reserved-connections must be between 0 and the pool size ("
                    + poolSize + ") minus one, got " + reserved);
        }
        this.requestShare = poolSize - reserved;
        this.permits = new Semaphore(requestShare, true);
        this.wait = wait;
    }

    /** How many API requests may hold a permit at once. */
    public int requestShare() {
        return requestShare;
    }

    /** Permits free right now. */
    public int available() {
        return permits.availablePermits();
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> enter(ContainerRequestContext request, RoutingContext http, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") || http == null || onReadPool(resource)) {
            return Optional.empty();
        }
        boolean acquired;
        try {
            acquired = Context.isOnEventLoopThread() ? permits.tryAcquire()
                    : permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            LOG.warnf("all %d database connections open to API requests are in use; answered 503", requestShare);
            return Optional.of(Problems.toResponse(new ApiProblem(503, "database-unavailable", "Service unavailable",
                    "every database connection open to requests is in use; nothing was changed, retry in 1 s")
                    .header("Retry-After", "1")));
        }
        AtomicBoolean held = new AtomicBoolean(true);
        http.put(HELD, held);
        http.addEndHandler(ended -> release(held));
        return Optional.empty();
    }

    /** Whether the request's method reads on the read pool only, so that it needs no permit ({@link OnReadPool}). */
    public static boolean onReadPool(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        return method != null && method.isAnnotationPresent(OnReadPool.class);
    }

    /**
     * Runs blocking {@code work} for a request served on the event loop: on a worker thread, with a permit unless
     * the request ({@code http}, null for none) still holds its own, and answered on the calling event loop (when
     * there is one), so the rest of the request goes on there.
     */
    public <T> Uni<T> offEventLoop(RoutingContext http, Supplier<T> work) {
        Supplier<T> permitted = holds(http) ? work : () -> withPermit(work);
        Context loop = Vertx.currentContext();
        Uni<T> worked = Uni.createFrom().item(permitted).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return loop == null ? worked : worked.emitOn(next -> loop.runOnContext(ignored -> next.run()));
    }

    /** Whether the request holds a permit of its own (taken by {@link #enter} and not given back yet). */
    private boolean holds(RoutingContext http) {
        AtomicBoolean held = http == null ? null : http.get(HELD);
        return held != null && held.get();
    }

    /** Gives the request's permit back before its response ends (it will not use the database again). */
    public void leave(RoutingContext http) {
        AtomicBoolean held = http == null ? null : http.get(HELD);
        if (held != null) {
            release(held);
        }
    }

    /**
     * Runs {@code work} with a permit of its own, for work done for a request after it gave its permit back
     * ({@link #leave}): a held advance's retry, an event stream's read of the history. Waits for a permit as a
     * request does; 503 {@code database-unavailable} when none comes in time.
     */
    public <T> T withPermit(Supplier<T> work) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ApiProblem(503, "database-unavailable", "Service unavailable",
                    "every database connection open to requests is in use; nothing was changed, retry in 1 s")
                    .header("Retry-After", "1");
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    private void release(AtomicBoolean held) {
        if (held.compareAndSet(true, false)) {
            permits.release();
        }
    }
}
