package dev.rollout.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import dev.rollout.it.AppProcess;
import dev.rollout.support.TestDatabase;

/**
 * The fleet-scale benchmark: many active rollouts with gates, watched by the packaged service against a
 * loopback Prometheus stand-in ({@link PrometheusStandIn}). Plans are created through the API; rollouts
 * are inserted with SQL (creating 100,000 through the API would take longer than the benchmark itself),
 * MANUAL and dwelling for an hour at their first step (5 %), so the watch never moves them by itself:
 * only a gate violation changes them.
 *
 * <p>Each plan {@code fleet-K} has one target-up gate, {@code up{job="svc-K"}}, so the distinct gate
 * requests per tick equal the number of plans whatever the fleet size. Marking job K down makes every
 * rollout of plan K violate. Every figure is printed on a line starting with {@code fleet:}.
 */
final class FleetDriver implements AutoCloseable {

    /** What a violation run observed; the smoke test fails on these, never on a time. */
    record ViolationOutcome(int rollouts, long lastStartedPausedMs, List<Long> planPausedMs, long allPausedMs,
            int wrongHistories, boolean survived) {
    }

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

    private final String label;
    private final int plans;
    private final Duration interval;
    private final TestDatabase.Location db;
    private final PrometheusStandIn prometheus;
    private final Connection sql;
    private final Map<String, AppProcess> instances = new LinkedHashMap<>();
    private final Map<String, Long> maxHeap = new ConcurrentHashMap<>();
    private final Map<String, Long> maxRss = new ConcurrentHashMap<>();
    private volatile boolean sampling = true;
    private final Thread sampler;

    FleetDriver(String label, int plans, Duration interval) throws Exception {
        this.label = label;
        this.plans = plans;
        this.interval = interval;
        this.db = TestDatabase.fresh("rollout_fleet_" + label);
        this.prometheus = new PrometheusStandIn();
        this.sql = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        this.sampler = new Thread(this::sample, "fleet-sampler");
        this.sampler.setDaemon(true);
    }

    // ---- instances ------------------------------------------------------------------------------------

    /** Starts an instance (one at a time: the first one migrates the database) and prints its start-up. */
    AppProcess start(String name, List<String> jvmOptions, Duration lease) {
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_PROMETHEUS_URL", prometheus.url());
        env.put("ROLLOUT_EVALUATION_INTERVAL", interval.toSeconds() + "s");
        env.put("ROLLOUT_WATCH_LEASE", lease.toSeconds() + "s");
        env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", name);
        AppProcess app = AppProcess.start("fleet-" + label + "-" + name, env, jvmOptions);
        instances.put(name, app);
        print("%s started (%s, JVM options %s): ready after %d ms, RSS %d MiB", name, label, jvmOptions,
                app.startup().toMillis(), rssKb(app) / 1024);
        if (!sampler.isAlive()) {
            sampler.start();
        }
        return app;
    }

    AppProcess instance(String name) {
        return instances.get(name);
    }

    /** Kills an instance with SIGKILL. */
    void kill(String name) {
        instances.get(name).kill();
    }

    // ---- the fleet ------------------------------------------------------------------------------------

    /** Creates plans fleet-0 .. fleet-(plans-1) through the API of {@code via}. */
    void createPlans(AppProcess via) {
        for (int k = 0; k < plans; k++) {
            AppProcess.Reply reply = via.post("/api/v1/plans", Map.of("name", "fleet-" + k, "mode", "MANUAL",
                    "onViolation", "PAUSE",
                    "steps", List.of(Map.of("percentage", 5, "minDwell", "PT1H"),
                            Map.of("percentage", 100, "minDwell", "PT0S")),
                    "gates", List.of(Map.of("name", "svc-up", "kind", "target-up",
                            "query", "up{job=\"svc-" + k + "\"}"))));
            if (reply.status() != 201) {
                throw new AssertionError("plan fleet-" + k + " not created: " + reply);
            }
        }
    }

    /**
     * Inserts {@code count} PROGRESSING rollouts at 5 % (step 0 of 2, dwell ending in an hour), rollout i on
     * plan fleet-(i mod plans), each with its started and step history; the last one started most recently.
     */
    void insertRollouts(int count) throws SQLException {
        long start = System.nanoTime();
        try (Statement s = sql.createStatement()) {
            s.execute("""
                    insert into rollout (id, plan_id, target, version, state, step_index, step_count,
                        current_percentage, step_entered_at, dwell_started_at, earliest_advance_at, started_at,
                        updated_at, row_version, violation_open)
                    select gen_random_uuid(), p.id, 'fleet-' || i, 'v1', 'PROGRESSING', 0, 2, 5,
                        now(), now(), now() + interval '1 hour', now() - (%d - i) * interval '1 millisecond',
                        now(), 0, false
                    from generate_series(0, %d) i join plan p on p.name = 'fleet-' || (i %% %d)"""
                    .formatted(count, count - 1, plans));
            s.execute("""
                    insert into deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor)
                    select id, started_at, 'started', null, 0, 'bench' from rollout order by started_at""");
            s.execute("""
                    insert into deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor)
                    select id, step_entered_at, 'step', 0, 5, 'bench' from rollout order by started_at""");
            s.execute("analyze rollout");
            s.execute("analyze deployment_state");
        }
        print("inserted %d rollouts over %d plans with SQL in %d ms", count, plans, ms(start));
    }

    /** The plan number (K of fleet-K) and id of the rollout started last. */
    String[] lastStarted() throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery("""
                select r.id, substr(p.name, 7) from rollout r join plan p on p.id = r.plan_id
                order by r.started_at desc limit 1""")) {
            r.next();
            return new String[] {r.getString(1), r.getString(2)};
        }
    }

    // ---- measurements ---------------------------------------------------------------------------------

    /**
     * Waits until the instances together report {@code count} rollouts evaluated in their last tick
     * (rollout_watch_rollouts, summed), then for two more ticks; prints how long the first full tick took
     * to show up. Answers the wait in ms, or -1 if it did not happen within {@code bound}.
     */
    long awaitFullTicks(int count, Duration bound) {
        long start = System.nanoTime();
        boolean full = waitFor(bound, Duration.ofMillis(200), () -> watchedTotal() == count);
        long elapsed = ms(start);
        if (!full) {
            print("the instances did not report all %d rollouts evaluated within %d s (last sum %d)", count,
                    bound.toSeconds(), watchedTotal());
            return -1;
        }
        print("first tick covering all %d rollouts reported %d ms after they were inserted", count, elapsed);
        for (AppProcess app : instances.values()) {
            if (app.isAlive()) {
                double ticks = Metrics.scrape(app).sum("rollout_watch_tick_seconds_count");
                waitFor(interval.multipliedBy(10), Duration.ofMillis(200),
                        () -> Metrics.scrape(app).sum("rollout_watch_tick_seconds_count") >= ticks + 2);
            }
        }
        return elapsed;
    }

    /** Sum of rollout_watch_rollouts over the live instances. */
    int watchedTotal() {
        int sum = 0;
        for (AppProcess app : instances.values()) {
            if (app.isAlive()) {
                try {
                    sum += (int) Metrics.scrape(app).sum("rollout_watch_rollouts");
                } catch (RuntimeException e) {
                    return -1; // not answering right now
                }
            }
        }
        return sum;
    }

    /**
     * Watches healthy ticks for {@code window}: mean tick duration (Δsum/Δcount of
     * rollout_watch_tick_seconds), its max, overruns, the largest lag seen, the gate-request gauge, and
     * the stand-in's own count of requests per tick.
     */
    void measureTicks(Duration window) {
        long since = System.nanoTime();
        Map<String, Metrics> before = new LinkedHashMap<>();
        instances.forEach((name, app) -> {
            if (app.isAlive()) {
                before.put(name, Metrics.scrape(app));
            }
        });
        Map<String, Double> maxLag = new LinkedHashMap<>();
        Map<String, Integer> failed = new LinkedHashMap<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            for (String name : before.keySet()) {
                try {
                    double lag = Metrics.scrape(instances.get(name)).sum("rollout_watch_lag_seconds");
                    maxLag.merge(name, lag, Math::max);
                } catch (RuntimeException e) {
                    failed.merge(name, 1, Integer::sum); // no answer within the request timeout: a figure too
                }
            }
            sleep(Duration.ofMillis(250));
        }
        if (!failed.isEmpty()) {
            print("scrapes of /q/metrics that failed or took over 30 s during the window: %s", failed);
        }
        for (Map.Entry<String, Metrics> entry : before.entrySet()) {
            Metrics a = entry.getValue();
            Metrics b;
            try {
                b = Metrics.scrape(instances.get(entry.getKey()));
            } catch (RuntimeException e) {
                print("%s: no /q/metrics answer at the end of the window: %s", entry.getKey(), e);
                continue;
            }
            double ticks = b.sum("rollout_watch_tick_seconds_count") - a.sum("rollout_watch_tick_seconds_count");
            double seconds = b.sum("rollout_watch_tick_seconds_sum") - a.sum("rollout_watch_tick_seconds_sum");
            print("%s over %d s: %d ticks, mean tick %.0f ms, max tick (recent window) %.0f ms, p99 %.0f ms, "
                    + "overruns %d, largest lag seen %.1f s, rollouts per tick %d, members %d, "
                    + "gate requests last tick %d (expected distinct %d)",
                    entry.getKey(), window.toSeconds(), (int) ticks, ticks == 0 ? Double.NaN : seconds * 1000 / ticks,
                    b.sum("rollout_watch_tick_seconds_max") * 1000,
                    b.sum("rollout_watch_tick_seconds", "quantile=\"0.99\"") * 1000,
                    (int) (b.sum("rollout_watch_overruns_total") - a.sum("rollout_watch_overruns_total")),
                    maxLag.getOrDefault(entry.getKey(), Double.NaN), (int) b.sum("rollout_watch_rollouts"),
                    (int) b.sum("rollout_watch_members"), (int) b.sum("rollout_watch_gate_requests"), plans);
        }
        List<int[]> ticks = PrometheusStandIn.perTick(prometheus.requestsSince(since), interval.toNanos() / 4);
        print("stand-in Prometheus over the same window: requests per tick %s (requests/distinct queries)",
                ticks.stream().map(t -> t[0] + "/" + t[1]).toList());
    }

    /**
     * Marks down the job of plan fleet-K for each K of {@code planNumbers}, one after the other, and times
     * until every rollout of that plan is PAUSED (the first one also times the rollout started last).
     * Then marks every job down and times until every rollout is PAUSED; then checks the history: exactly
     * one gate_violation and one paused event per rollout.
     */
    ViolationOutcome violations(int count, List<Integer> planNumbers, String lastId, Duration bound)
            throws SQLException {
        long lastPausedMs = -1;
        List<Long> planMs = new ArrayList<>();
        for (int i = 0; i < planNumbers.size(); i++) {
            int k = planNumbers.get(i);
            int perPlan = countRollouts("p.name = 'fleet-" + k + "'");
            long flipped = System.nanoTime();
            prometheus.markDown(k);
            long lastAt = -1;
            boolean watchLast = i == 0 && lastId != null;
            long deadline = flipped + bound.toNanos();
            while (System.nanoTime() < deadline) {
                if (watchLast && lastAt < 0 && paused(lastId)) {
                    lastAt = ms(flipped);
                }
                if (countRollouts("p.name = 'fleet-" + k + "' and r.state = 'PAUSED'") == perPlan
                        && (!watchLast || lastAt >= 0)) {
                    break;
                }
                sleep(POLL);
            }
            int pausedNow = countRollouts("p.name = 'fleet-" + k + "' and r.state = 'PAUSED'");
            long planDone = pausedNow == perPlan ? ms(flipped) : -1;
            planMs.add(planDone);
            if (watchLast) {
                lastPausedMs = lastAt;
                print("job svc-%d down (plan of the rollout started last): that rollout PAUSED after %s, all %d "
                        + "rollouts of the plan after %s", k, shown(lastAt), perPlan, shown(planDone));
            } else {
                print("job svc-%d down: all %d rollouts of plan fleet-%d PAUSED after %s", k, perPlan, k,
                        shown(planDone));
            }
        }
        long all = System.nanoTime();
        prometheus.markAllDown(true);
        boolean allPaused = waitFor(bound, POLL, () -> countRollouts("r.state = 'PAUSED'") == count);
        long allMs = allPaused ? ms(all) : -1;
        print("every job down: all %d rollouts PAUSED after %s (%d paused at the end of the wait)", count,
                shown(allMs), countRollouts("r.state = 'PAUSED'"));
        // Two more ticks: a duplicate would show up now if there were one.
        sleep(interval.multipliedBy(2).plusMillis(500));
        int wrong = wrongHistories();
        print("history check: %d of %d rollouts do not have exactly one gate_violation and one paused event",
                wrong, count);
        if (wrong > 0) {
            printWrongHistories(3);
        }
        printActors();
        boolean survived = instances.values().stream().allMatch(app -> app.isAlive() || killed(app));
        return new ViolationOutcome(count, lastPausedMs, planMs, allMs, wrong, survived);
    }

    /** Prints the largest heap use and RSS sampled per instance, and whether each is alive with no OOM. */
    void printResources() {
        instances.forEach((name, app) -> {
            boolean oom = app.logText().contains("OutOfMemoryError");
            print("%s: max heap used %d MiB (sampled each second), max RSS %d MiB, alive %s, OutOfMemoryError in log %s",
                    name, maxHeap.getOrDefault(name, 0L) / (1024 * 1024), maxRss.getOrDefault(name, 0L) / 1024,
                    app.isAlive(), oom);
        });
    }

    boolean outOfMemory() {
        return instances.values().stream().anyMatch(app -> app.logText().contains("OutOfMemoryError"));
    }

    // ---- SQL ------------------------------------------------------------------------------------------

    private int countRollouts(String where) {
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery(
                "select count(*) from rollout r join plan p on p.id = r.plan_id where " + where)) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean paused(String id) throws SQLException {
        try (PreparedStatement s = sql.prepareStatement("select state from rollout where id = ?::uuid")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && "PAUSED".equals(r.getString(1));
            }
        }
    }

    /** Rollouts whose history does not hold exactly one gate_violation and one paused event, or whose state disagrees. */
    private int wrongHistories() throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery("""
                select count(*) from rollout r
                left join (select rollout_id,
                                  count(*) filter (where action = 'gate_violation') as violations,
                                  count(*) filter (where action = 'paused') as pauses
                           from deployment_state group by rollout_id) e on e.rollout_id = r.id
                where coalesce(e.violations, 0) <> 1 or coalesce(e.pauses, 0) <> 1
                   or r.state <> 'PAUSED' or not r.violation_open""")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** Prints the violation-related history of a few rollouts that failed the history check. */
    private void printWrongHistories(int limit) throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery("""
                select r.id, p.name, r.state, r.violation_open, r.row_version,
                       string_agg(e.seq || ' ' || to_char(e.at, 'HH24:MI:SS.MS') || ' ' || e.action || ' '
                                  || coalesce(e.details ->> 'instance', '-') || ' ' || coalesce(e.reason, ''),
                                  ' | ' order by e.seq)
                from rollout r join plan p on p.id = r.plan_id
                join deployment_state e on e.rollout_id = r.id and e.action in ('gate_violation', 'paused')
                group by r.id, p.name, r.state, r.violation_open, r.row_version
                having count(*) filter (where e.action = 'gate_violation') <> 1
                    or count(*) filter (where e.action = 'paused') <> 1
                limit %d""".formatted(limit))) {
            while (r.next()) {
                print("  rollout %s (%s) %s violation_open=%s row_version=%d: %s", r.getString(1), r.getString(2),
                        r.getString(3), r.getBoolean(4), r.getLong(5), r.getString(6));
            }
        }
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery("""
                select p.name, count(distinct e.rollout_id) from deployment_state e
                join rollout r on r.id = e.rollout_id join plan p on p.id = r.plan_id
                where e.action = 'gate_violation' and e.reason like 'gate violation while paused%'
                group by p.name order by 2 desc limit 10""")) {
            Map<String, Integer> by = new LinkedHashMap<>();
            while (r.next()) {
                by.put(r.getString(1), r.getInt(2));
            }
            print("  rollouts with a violation recorded while paused, by plan: %s", by);
        }
    }

    private void printActors() throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet r = s.executeQuery("""
                select coalesce(details ->> 'instance', '?'), count(*) from deployment_state
                where action = 'gate_violation' group by 1 order by 1""")) {
            Map<String, Integer> by = new LinkedHashMap<>();
            while (r.next()) {
                by.put(r.getString(1), r.getInt(2));
            }
            print("gate_violation events by instance: %s", by);
        }
    }

    // ---- sampling -------------------------------------------------------------------------------------

    private void sample() {
        long end = System.nanoTime() + Duration.ofHours(2).toNanos(); // a bound, whatever happens
        while (sampling && System.nanoTime() < end) {
            instances.forEach((name, app) -> {
                if (app.isAlive()) {
                    try {
                        long heap = (long) Metrics.scrape(app).sum("jvm_memory_used_bytes", "area=\"heap\"");
                        maxHeap.merge(name, heap, Math::max);
                    } catch (RuntimeException e) {
                        // busy or gone: the next sample
                    }
                    maxRss.merge(name, rssKb(app), Math::max);
                }
            });
            sleep(SAMPLE_EVERY);
        }
    }

    private final java.util.Set<AppProcess> killed = ConcurrentHashMap.newKeySet();

    private boolean killed(AppProcess app) {
        return killed.contains(app);
    }

    void markKilled(String name) {
        killed.add(instances.get(name));
    }

    static long rssKb(AppProcess app) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(app.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not on Linux, or the process is gone
        }
        return 0;
    }

    // ---- helpers --------------------------------------------------------------------------------------

    static boolean waitFor(Duration bound, Duration poll, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // an instance busy or a query failing this once: ask again
            }
            sleep(poll);
        }
        return false;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private static String shown(long ms) {
        return ms < 0 ? "NOT within the bound" : ms + " ms";
    }

    static void print(String format, Object... args) {
        System.out.println("fleet: " + String.format(format, args));
        System.out.flush();
    }

    @Override
    public void close() throws Exception {
        sampling = false;
        instances.values().forEach(AppProcess::close);
        prometheus.close();
        sql.close();
    }

    // ---- /q/metrics -----------------------------------------------------------------------------------

    /** One scrape of an instance's /q/metrics (Prometheus text format). */
    static final class Metrics {

        private final List<String> lines;

        private Metrics(List<String> lines) {
            this.lines = lines;
        }

        static Metrics scrape(AppProcess app) {
            AppProcess.Reply reply = app.metrics();
            if (reply.status() != 200) {
                throw new IllegalStateException("/q/metrics answered " + reply.status());
            }
            return new Metrics(reply.body().lines().filter(l -> !l.startsWith("#")).toList());
        }

        /** The sum of the samples named {@code name} whose labels contain every one of {@code labels}. */
        double sum(String name, String... labels) {
            double sum = 0;
            for (String line : lines) {
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String metric = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
                if (!metric.equals(name)) {
                    continue;
                }
                boolean all = true;
                for (String label : labels) {
                    all &= line.contains(label);
                }
                if (labels.length == 0 && line.contains("quantile=")) {
                    all = false; // a summary's quantiles are not part of its plain value
                }
                if (all) {
                    sum += Double.parseDouble(line.substring(space + 1));
                }
            }
            return sum;
        }
    }
}
