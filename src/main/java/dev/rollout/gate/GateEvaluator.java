package dev.rollout.gate;

import dev.rollout.gate.GateRules.Reading;
import dev.rollout.gate.GateRules.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Evaluates gates against the configured monitoring sources.
 *
 * <p>The gates of one call are evaluated concurrently; each request is bounded by its endpoint's
 * connect and read timeouts, so a call takes at most about the slowest endpoint's timeouts. Any
 * failure becomes an ERROR result, never an exception.
 *
 * <p>Every request goes through one {@link MonitoringRequests}, which bounds how many are in flight at once
 * for the whole service and lets each rollout's first requests go before anyone's later ones.
 *
 * <p>A {@link Batch} shares identical requests (same source and query, or same source and alert
 * matchers) among all the gates it evaluates, e.g. the gates of every active rollout in one
 * scheduled tick. Nothing is remembered beyond a batch.
 */
@ApplicationScoped
public class GateEvaluator {

    private final MonitoringSources sources;
    private final Clock clock;
    private final MonitoringRequests requests;

    @Inject
    public GateEvaluator(MonitoringSources sources, MonitoringLimits limits) {
        this(sources, Clock.systemUTC(), new MonitoringRequests(limits.maxConcurrentRequests()));
    }

    /** Without a bound on requests in flight (tests). */
    public GateEvaluator(MonitoringSources sources) {
        this(sources, Clock.systemUTC(), MonitoringRequests.unbounded());
    }

    /** Without a bound on requests in flight (tests). */
    public GateEvaluator(MonitoringSources sources, Clock clock) {
        this(sources, clock, MonitoringRequests.unbounded());
    }

    public GateEvaluator(MonitoringSources sources, Clock clock, MonitoringRequests requests) {
        this.sources = sources;
        this.clock = clock;
        this.requests = requests;
    }

    /** The names of the named monitoring sources, for validating plans. */
    public Set<String> sourceNames() {
        return sources.names();
    }

    /** Evaluates {@code gates} with a fresh batch; results are in the order of {@code gates}. */
    public List<GateResult> evaluate(List<GateDefinition> gates) {
        return newBatch().evaluate(gates);
    }

    /** A batch that sends each distinct request once, for as long as the batch object is used. */
    public Batch newBatch() {
        return new Batch();
    }

    public final class Batch {

        private record QueryKey(String source, String query) {
        }

        private record AlertsKey(String source, Set<String> matchers) {
        }

        private final Map<Object, CompletableFuture<?>> shared = new ConcurrentHashMap<>();
        private final AtomicInteger sent = new AtomicInteger();

        private Batch() {
        }

        /** Evaluates {@code gates}, results in the same order. Thread-safe. */
        public List<GateResult> evaluate(List<GateDefinition> gates) {
            return evaluateAll(gates).join();
        }

        /** As {@link #evaluate}, without waiting: many rollouts' gates are then asked for at once. */
        public CompletableFuture<List<GateResult>> evaluateAll(List<GateDefinition> gates) {
            List<CompletableFuture<GateResult>> pending = new ArrayList<>(gates.size());
            AtomicInteger rank = new AtomicInteger(); // the position of each request within this evaluation
            for (GateDefinition gate : gates) {
                pending.add(evaluateAsync(gate, rank));
            }
            return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> pending.stream().map(CompletableFuture::join).toList());
        }

        /** How many requests this batch has sent to monitoring sources so far. */
        public int requestsSent() {
            return sent.get();
        }

        private CompletableFuture<GateResult> evaluateAsync(GateDefinition gate, AtomicInteger rank) {
            long start = System.nanoTime();
            CompletableFuture<Verdict> verdict;
            try {
                verdict = switch (gate.kind()) {
                    case TARGET_UP -> query(gate.source(), gate.query(), rank)
                            .thenApply(r -> GateRules.targetUp(gate.query(), r));
                    case METRICS_PRESENT -> metricsPresent(gate, rank);
                    case NO_FIRING_ALERTS -> noFiringAlerts(gate, rank);
                    case QUERY_THRESHOLD -> threshold(gate, rank);
                    case BURN_RATE -> burnRate(gate, rank);
                    case COMPARE -> compare(gate, rank);
                };
            } catch (RuntimeException e) {
                verdict = CompletableFuture.failedFuture(e);
            }
            return verdict
                    .exceptionally(GateEvaluator::errorVerdict)
                    .thenApply(v -> new GateResult(gate.name(), gate.kind(), v.status(), v.detail(), clock.instant(),
                            Duration.ofNanos(System.nanoTime() - start), gate.shadowed(),
                            GateEvidence.of(gate, v.observed() == null ? v.detail() : v.observed())));
        }

        private CompletableFuture<Verdict> metricsPresent(GateDefinition gate, AtomicInteger rank) {
            if (gate.metrics().isEmpty()) {
                throw new IllegalArgumentException("no metrics to check");
            }
            List<CompletableFuture<Verdict>> checks = gate.metrics().stream()
                    .map(metric -> query(gate.source(), metric, rank)
                            .thenApply(r -> GateRules.metricPresent(metric, r))
                            .exceptionally(GateEvaluator::errorVerdict))
                    .toList();
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> GateRules.combine(checks.stream().map(CompletableFuture::join).toList()));
        }

        private CompletableFuture<Verdict> noFiringAlerts(GateDefinition gate, AtomicInteger rank) {
            List<AlertMatcher> matchers = gate.matchers().stream().map(AlertMatcher::parse).toList();
            Set<String> key = new TreeSet<>();
            matchers.forEach(m -> key.add(m.toString()));
            AlertmanagerClient client = sources.alertmanager(gate.source());
            return this.<List<Alert>>memoised(new AlertsKey(gate.source(), key), rank,
                            () -> client.firingAlerts(matchers))
                    .thenApply(alerts -> GateRules.noFiringAlerts(matchers, alerts));
        }

        private CompletableFuture<Verdict> threshold(GateDefinition gate, AtomicInteger rank) {
            Condition condition = Condition.parse(gate.condition());
            Aggregate aggregate = gate.aggregate() == null ? null
                    : Aggregate.fromName(gate.aggregate()).orElseThrow(
                            () -> new IllegalArgumentException("unknown aggregate " + gate.aggregate()));
            return query(gate.source(), gate.query(), rank)
                    .thenApply(r -> GateRules.threshold(gate.query(), condition, aggregate, r));
        }

        /** One query per distinct window, each shared within the batch like any other query. */
        private CompletableFuture<Verdict> burnRate(GateDefinition gate, AtomicInteger rank) {
            List<BurnWindow> pairs = BurnRate.windows(gate);
            Map<String, CompletableFuture<Reading>> readings = new LinkedHashMap<>();
            for (String window : BurnRate.distinctWindows(pairs)) {
                readings.put(window, reading(gate.source(), BurnRate.query(gate.errorRatio(), window), rank));
            }
            double objective = gate.objective();
            return CompletableFuture.allOf(readings.values().toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> {
                        Map<String, Reading> read = new LinkedHashMap<>();
                        readings.forEach((window, reading) -> read.put(window, reading.join()));
                        return BurnRate.verdict(gate.errorRatio(), objective, pairs, read);
                    });
        }

        private CompletableFuture<Verdict> compare(GateDefinition gate, AtomicInteger rank) {
            MaxIncrease.Allowance allowance = gate.maxIncrease().allowance();
            CompletableFuture<Reading> canary = reading(gate.source(), gate.canary(), rank);
            CompletableFuture<Reading> baseline = reading(gate.source(), gate.baseline(), rank);
            return canary.thenCombine(baseline, (c, b) ->
                    GateRules.compare(gate.canary(), c, gate.baseline(), b, allowance));
        }

        /** The single value of a query; a failed request is a reading with its problem, not a failed future. */
        private CompletableFuture<Reading> reading(String source, String promql, AtomicInteger rank) {
            return query(source, promql, rank)
                    .thenApply(r -> GateRules.single(promql, r))
                    .exceptionally(e -> Reading.missing(errorVerdict(e).detail()));
        }

        private CompletableFuture<InstantQueryResult> query(String source, String promql, AtomicInteger rank) {
            PrometheusClient client = sources.prometheus(source);
            return memoised(new QueryKey(source, promql), rank, () -> client.query(promql));
        }

        /** The batch's one request for {@code key}, sent through the service's bound when first asked for. */
        @SuppressWarnings("unchecked")
        private <T> CompletableFuture<T> memoised(Object key, AtomicInteger rank, Supplier<CompletableFuture<T>> request) {
            int position = rank.getAndIncrement();
            return (CompletableFuture<T>) shared.computeIfAbsent(key, k -> {
                sent.incrementAndGet();
                return requests.submit(position, request);
            });
        }
    }

    private static Verdict errorVerdict(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MonitoringException) {
            return Verdict.error(cause.getMessage());
        }
        if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
            // Only reachable for definitions that skipped validation.
            return Verdict.error("invalid gate definition: " + cause.getMessage());
        }
        return Verdict.error("unexpected error: " + cause.getClass().getSimpleName());
    }
}
