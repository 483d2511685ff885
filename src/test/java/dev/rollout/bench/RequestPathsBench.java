package dev.rollout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.rollout.it.AppProcess;
import dev.rollout.support.TestDatabase;

/**
 * Benchmark, not a test: throughput and latency of the request paths of the packaged service on loopback,
 * each next to a reference measured in the same run. Run it with {@code deploy/bench/request-paths}.
 * <ul>
 * <li>HTTP: {@code bench.connections} keep-alive connections (32), each sending its next request as soon
 * as the answer arrived, for {@code bench.seconds} per path (10) after a warm-up of a third of that;
 * {@code GET /q/health/live} is the reference for reads.</li>
 * <li>pgbench, same database, same connections: the transaction shapes of a refused advance and of a
 * state transition on the service's own tables, the reference for the writing paths.</li>
 * </ul>
 * {@code -Dbench.smoke=true}: 2 s per path, fails only when a path answers a wrong status, never on a figure.
 */
class RequestPathsBench {

    private static final String PLAN = "bench-plan";
    private static final int PGBENCH_ROLLOUTS = 32;

    private final boolean smoke = Boolean.getBoolean("bench.smoke");
    private final int seconds = Integer.getInteger("bench.seconds", smoke ? 2 : 10);
    private final int connections = Integer.getInteger("bench.connections", 32);
    /** {@code bench.paths}: the paths to measure (live, get, anonymous, refused, transitions, starts), default all. */
    private final Set<String> paths = Set.of(System.getProperty("bench.paths", "").isBlank()
            ? new String[] {"live", "get", "anonymous", "refused", "transitions", "starts"}
            : System.getProperty("bench.paths").split(","));
    /** {@code bench.rounds}: how many times the paths and their references are measured in turn (starts once). */
    private final int rounds = Math.max(1, Integer.getInteger("bench.rounds", 1));
    /**
     * {@code bench.settle}: at most this many seconds of load before the first round, until the service's JIT
     * compilers have settled (0: measure from the start, as a freshly started service runs).
     */
    private final int settleSeconds = Integer.getInteger("bench.settle", 0);
    private final List<String> report = new ArrayList<>();
    private final Map<String, Long> wrongAnswers = new LinkedHashMap<>();

    /** When each measured window (and warm-up) ran. */
    private final List<String> windows = new ArrayList<>();

    /** The bench database's name, whose connections' CPU time each path's window is charged with too. */
    private String databaseName = "";

    /** The service's process, whose CPU time each path's window is charged with. */
    private long appPid = -1;

    @Test
    void requestPaths() throws Exception {
        // -Dbench.jar measures another build of the service (e.g. an earlier one) with the same driver.
        String jar = System.getProperty("bench.jar", "");
        if (!jar.isBlank()) {
            System.setProperty("rollout.app.jar", jar);
        }
        TestDatabase.Location db = TestDatabase.fresh("rollout_bench_paths");
        databaseName = db.jdbcUrl().replaceAll(".*/([^/?]+).*", "$1");
        Map<String, String> env = new HashMap<>(AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password()));
        // Events are queued for Grafana (every transition writes its outbox row, as in production) but not
        // delivered during the run: delivery is not a request path.
        env.put("ROLLOUT_GRAFANA_URL", "http://127.0.0.1:9");
        env.put("ROLLOUT_GRAFANA_TOKEN", "bench-grafana-token");
        env.put("ROLLOUT_OUTBOX_INTERVAL", "1h");
        List<String> jvm = List.of(System.getProperty("bench.jvm", "-Xmx512m").split(" "));
        try (AppProcess app = AppProcess.start("bench-paths", env, jvm)) {
            appPid = app.pid();
            report.add(String.format("start-up to ready: %d ms (JVM, %s)", app.startup().toMillis(), String.join(" ", jvm)));
            Setup setup = setUp(app);
            int port = URI.create(app.baseUrl()).getPort();

            // pgbench's rollouts exist from the start, so that every round measures the same database.
            prepareForPgbench(db);
            if (settleSeconds > 0) {
                settle(port, setup);
            }
            List<Round> measured = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                measured.add(round(db, port, setup));
            }
            AtomicLong startSeq = new AtomicLong();
            Result starts = !paths.contains("starts") ? null : run("start a rollout", port, 201,
                    i -> post("/api/v1/rollouts", setup.admin, "{\"plan\":\"" + PLAN + "\",\"target\":\"start-"
                            + startSeq.incrementAndGet() + "\",\"version\":\"v1\"}"));

            report.add("");
            report.add(String.format("%-48s %10s %9s %9s %9s %9s %9s", "path", "req/s", "p50 ms", "p99 ms", "ratio",
                    "cpu ms", "db ms"));
            // With several rounds, each path's row is its round of median ratio; all ratios follow the table.
            Round reads = median(measured, Round::getRatio);
            line(reads.live(), "reference");
            line(reads.authGet(), ratioToLive(reads.authGet(), reads.live()));
            line(reads.anonGet(), ratioToLive(reads.anonGet(), reads.live()));
            Round refusals = median(measured, Round::refusedRatio);
            line(refusals.refused(), String.format("%.2f x pgbench", zeroIfNone(refusals.refusedRatio())));
            Round changes = median(measured, Round::transitionRatio);
            line(changes.transitions(), String.format("%.2f x pgbench", zeroIfNone(changes.transitionRatio())));
            line(starts, "");
            if (refusals.refused() != null) {
                pgbenchLine("pgbench: refused-advance shape (tps)", refusals.pgRefused());
            }
            if (changes.transitions() != null) {
                pgbenchLine("pgbench: transition shape (tps)", changes.pgTransition());
                pgbenchLine("pgbench: the same, unindexed columns only (HOT)", changes.pgTransitionHot());
                report.add(String.format("(transitions: one pause or one resume each; pairs/s = %.0f)",
                        changes.transitions().rate() / 2));
            }
            if (rounds > 1) {
                ratios("authenticated GET / live", measured, Round::getRatio);
                ratios("refused advance / pgbench", measured, Round::refusedRatio);
                ratios("transitions / pgbench", measured, Round::transitionRatio);
                ratios("transitions / pgbench HOT-only", measured, Round::transitionHotRatio);
                // The rates behind the ratios, so that a ratio that moves shows which side moved.
                rates("transitions/s", measured, r -> r.transitions() == null ? null : r.transitions().rate());
                rates("pgbench transition tps", measured, r -> r.pgTransition() == null ? null : r.pgTransition().tps());
                rates("service CPU ms per transition", measured,
                        r -> r.transitions() == null ? null : r.transitions().cpuMillis() / Math.max(1, r.transitions().requests()));
                // What the service's JIT compilers took of its CPU while a path ran: high while it still compiles.
                rates("JIT compilers' share of the service's CPU in transitions, %", measured,
                        r -> r.transitions() == null ? null : r.transitions().jitShare() * 100);
                // The service idles while pgbench runs; its CPU then is work pgbench's figure competes with.
                rates("service CPU while pgbench ran its transition shape, ms per s", measured,
                        r -> r.pgTransition() == null ? null : r.pgTransition().serviceCpuPerSecond());
                rates("refused advances/s", measured, r -> r.refused() == null ? null : r.refused().rate());
                rates("pgbench refused-advance tps", measured, r -> r.pgRefused() == null ? null : r.pgRefused().tps());
            }
            report.add("resident memory after the run: " + rss(app.pid()));
            report.add(String.format("%d connections, %d s per path, warm-up %d s per path; loopback; %d cores",
                    connections, seconds, warmup(), Runtime.getRuntime().availableProcessors()));
        }
        report.forEach(System.out::println);
        windows.forEach(System.out::println);
        assertTrue(wrongAnswers.isEmpty(), "paths answered wrong statuses: " + wrongAnswers);
    }

    // ---- set-up ---------------------------------------------------------------------------------------

    private record Setup(String admin, String viewer, String readId, List<String> refusedIds, List<String> pairIds) {
    }

    private Setup setUp(AppProcess app) {
        AppProcess.Reply plan = app.post("/api/v1/plans", Map.of("name", PLAN, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 50, "minDwell", "PT24H"), Map.of("percentage", 100, "minDwell", "PT0S"))));
        assertEquals(201, plan.status(), plan.toString());
        String viewer = app.post("/api/v1/tokens", Map.of("name", "bench-viewer", "role", "viewer")).json()
                .path("token").asText();
        String readId = startAndEnterFirstStep(app, "read");
        List<String> refused = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            refused.add(startAndEnterFirstStep(app, "refused-" + i));
            pairs.add(start(app, "pairs-" + i));
        }
        return new Setup(AppProcess.ADMIN_TOKEN, viewer, readId, refused, pairs);
    }

    private static String start(AppProcess app, String target) {
        AppProcess.Reply started = app.post("/api/v1/rollouts", Map.of("plan", PLAN, "target", target, "version", "v1"));
        assertEquals(201, started.status(), started.toString());
        return started.json().path("id").asText();
    }

    /** A rollout at its first step, whose 24 h dwell refuses every advance as too early. */
    private static String startAndEnterFirstStep(AppProcess app, String target) {
        String id = start(app, target);
        AppProcess.Reply advanced = app.post("/api/v1/rollouts/" + id + "/advance", null);
        assertEquals(200, advanced.status(), advanced.toString());
        return id;
    }

    // ---- HTTP load ------------------------------------------------------------------------------------

    record Result(String name, long requests, double seconds, long p50Micros, long p99Micros, double cpuMillis,
            double dbCpuMillis, double jitCpuMillis) {
        double rate() {
            return requests / seconds;
        }

        /** The JIT compilers' share of the service's CPU in this window. */
        double jitShare() {
            return cpuMillis == 0 ? 0 : jitCpuMillis / cpuMillis;
        }
    }

    private void line(Result r, String ratio) {
        if (r == null) {
            return; // not measured in this run (bench.paths)
        }
        report.add(String.format("%-48s %10.0f %9.1f %9.1f %9s %9.3f %9.3f", r.name(), r.rate(), r.p50Micros() / 1000.0,
                r.p99Micros() / 1000.0, ratio, r.requests() == 0 ? 0 : r.cpuMillis() / r.requests(),
                r.requests() == 0 ? 0 : r.dbCpuMillis() / r.requests()));
    }

    /**
     * One round: each path measured (null when not asked for) and pgbench's references right after them (null
     * when their path was not measured); a ratio is null when its path was not measured.
     */
    private record Round(Result live, Result authGet, Result anonGet, Result refused, Result transitions,
            Pgbench pgRefused, Pgbench pgTransition, Pgbench pgTransitionHot) {

        Double getRatio() {
            return authGet == null || live == null ? null : authGet.rate() / live.rate();
        }

        Double refusedRatio() {
            return refused == null ? null : refused.rate() / pgRefused.tps();
        }

        Double transitionRatio() {
            return transitions == null ? null : transitions.rate() / pgTransition.tps();
        }

        Double transitionHotRatio() {
            return transitions == null ? null : transitions.rate() / pgTransitionHot.tps();
        }
    }

    private Round round(TestDatabase.Location db, int port, Setup setup) throws Exception {
        Result live = !paths.contains("live") ? null : run("GET /q/health/live", port, 200, liveRequest());
        Result authGet = !paths.contains("get") ? null : run("GET /rollouts/{id} (viewer token)", port, 200,
                authGetRequest(setup));
        Result anonGet = !paths.contains("anonymous") ? null : run("GET /rollouts/{id} without credentials (401)",
                port, 401, i -> get("/api/v1/rollouts/" + setup.readId, null));
        Result refused = !paths.contains("refused") ? null : run("refused advance (too-early)", port, 409,
                refusedRequest(setup));
        Result transitions = !paths.contains("transitions") ? null : runPairs(port, setup);
        Pgbench pgRefused = refused == null ? null : pgbench(db, "refused-advance", REFUSED_ADVANCE_SQL);
        Pgbench pgTransition = transitions == null ? null : pgbench(db, "transition", TRANSITION_SQL);
        Pgbench pgTransitionHot = transitions == null ? null : pgbench(db, "transition-hot", TRANSITION_HOT_SQL);
        return new Round(live, authGet, anonGet, refused, transitions, pgRefused, pgTransition, pgTransitionHot);
    }

    private static double zeroIfNone(Double ratio) {
        return ratio == null ? 0 : ratio;
    }

    private void pgbenchLine(String name, Pgbench reference) {
        report.add(String.format("%-48s %10.0f %9s %9s %9s %9s %9.3f", name, reference.tps(), "", "", "", "",
                reference.dbCpuMillis()));
    }

    /** The round whose {@code ratio} is the median (the lower middle one of an even count). */
    private static Round median(List<Round> rounds, java.util.function.Function<Round, Double> ratio) {
        List<Round> sorted = new ArrayList<>(rounds);
        sorted.sort(java.util.Comparator.comparingDouble(r -> zeroIfNone(ratio.apply(r))));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** A line with a ratio of every round, in the order they ran, and their median. */
    private void ratios(String name, List<Round> rounds, java.util.function.Function<Round, Double> ratio) {
        List<Double> values = rounds.stream().map(ratio).filter(java.util.Objects::nonNull).toList();
        if (values.isEmpty()) {
            return;
        }
        List<Double> sorted = values.stream().sorted().toList();
        report.add(String.format("%s, %d rounds: %s; median %.2f", name, values.size(),
                String.join(" ", values.stream().map(v -> String.format("%.2f", v)).toList()),
                sorted.get((sorted.size() - 1) / 2)));
    }

    /** A line with a figure of every round, in the order they ran. */
    private void rates(String name, List<Round> rounds, java.util.function.Function<Round, Double> figure) {
        List<Double> values = rounds.stream().map(figure).filter(java.util.Objects::nonNull).toList();
        if (!values.isEmpty()) {
            report.add(String.format("%s, by round: %s", name,
                    String.join(" ", values.stream().map(v -> v >= 100 ? String.format("%.0f", v)
                            : String.format("%.3f", v)).toList())));
        }
    }

    /** The path's rate as a ratio to the live endpoint's; empty when either was not measured. */
    private static String ratioToLive(Result path, Result live) {
        return path == null || live == null ? "" : String.format("%.2f x live", path.rate() / live.rate());
    }

    /**
     * Load before the first round, as a service that has been up for a while has had: the measured paths in turn,
     * {@code bench.seconds} each, until the JIT compilers took under {@link #SETTLED_JIT_SHARE} of the service's
     * CPU over a turn, or {@code bench.settle} seconds have passed. On a 2-core machine HotSpot's C2 compiler goes
     * on compiling the request paths for minutes, on the same cores as the requests; a round measured meanwhile
     * measures the compiler as much as the path. Nothing of it is counted; what it took is reported.
     */
    private void settle(int port, Setup setup) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + settleSeconds * 1_000_000_000L;
        double share = 1;
        int turns = 0;
        while (System.nanoTime() < deadline) {
            long cpuBefore = cpuMillis();
            long jitBefore = jitCpuMillis();
            if (paths.contains("live")) {
                measure("settle: GET /q/health/live", port, 200, liveRequest());
            }
            if (paths.contains("get")) {
                measure("settle: GET /rollouts/{id}", port, 200, authGetRequest(setup));
            }
            if (paths.contains("refused")) {
                measure("settle: refused advance", port, 409, refusedRequest(setup));
            }
            if (paths.contains("transitions")) {
                load("pause/resume transitions (settling)", port, 200, seconds, pairs(setup));
            }
            turns++;
            long cpu = cpuMillis() - cpuBefore;
            share = cpu == 0 ? 0 : (double) (jitCpuMillis() - jitBefore) / cpu;
            if (share < SETTLED_JIT_SHARE) {
                break;
            }
        }
        report.add(String.format("settling: %d turns in %.0f s of load before round 1; JIT compilers' share of the "
                + "service's CPU in the last turn: %.1f %% (%s)", turns, (System.nanoTime() - started) / 1e9,
                share * 100, share < SETTLED_JIT_SHARE ? "settled" : "not settled within " + settleSeconds + " s"));
    }

    /** The JIT compilers' share of the service's CPU below which {@link #settle} counts them as settled. */
    private static final double SETTLED_JIT_SHARE = 0.05;

    private int warmup() {
        return Math.max(1, seconds / 3);
    }

    /** Runs {@code request} (the bytes of request number i of a connection) on every connection, warm-up first. */
    private Result run(String name, int port, int expected, IntFunction<byte[]> request) throws InterruptedException {
        load(name, port, expected, warmup(), (c, i) -> request.apply(c + i * connections));
        return measure(name, port, expected, request);
    }

    /** As {@link #run}, without the warm-up. */
    private Result measure(String name, int port, int expected, IntFunction<byte[]> request)
            throws InterruptedException {
        return load(name, port, expected, seconds, (c, i) -> request.apply(c + i * connections));
    }

    private static IntFunction<byte[]> liveRequest() {
        return i -> get("/q/health/live", null);
    }

    private static IntFunction<byte[]> authGetRequest(Setup setup) {
        return i -> get("/api/v1/rollouts/" + setup.readId, setup.viewer);
    }

    /** An advance of one of the rollouts inside their dwell, in turn. */
    private static IntFunction<byte[]> refusedRequest(Setup setup) {
        return i -> post("/api/v1/rollouts/" + setup.refusedIds.get(i % setup.refusedIds.size()) + "/advance",
                setup.admin, "");
    }

    /** Pause then resume, each connection on its own rollout, so every request is one real transition. */
    private Result runPairs(int port, Setup setup) throws InterruptedException {
        Connection2Request pairs = pairs(setup);
        // Each phase ends after a resume (an even count per connection), so the next one starts with a pause.
        load("pause/resume transitions", port, 200, warmup(), pairs);
        return load("pause/resume transitions", port, 200, seconds, pairs);
    }

    private Connection2Request pairs(Setup setup) {
        return (c, i) -> {
            String id = setup.pairIds().get(c);
            return i % 2 == 0 ? post("/api/v1/rollouts/" + id + "/pause", setup.admin(), "{\"reason\":\"bench\"}")
                    : post("/api/v1/rollouts/" + id + "/resume", setup.admin(), "{\"reason\":\"bench\"}");
        };
    }

    @FunctionalInterface
    interface Connection2Request {
        byte[] request(int connection, int index);
    }

    private Result load(String name, int port, int expected, int durationSeconds, Connection2Request request)
            throws InterruptedException {
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        Map<Integer, AtomicLong> statuses = new TreeMap<>();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Thread t = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                Map<Integer, Long> seen = new HashMap<>();
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 16384);
                    ready.countDown();
                    go.await();
                    long end = window[1];
                    boolean pairs = name.startsWith("pause/resume");
                    for (int i = 0; System.nanoTime() < end || (pairs && i % 2 == 1); i++) {
                        long t0 = System.nanoTime();
                        out.write(request.request(connection, i));
                        out.flush();
                        int status = readResponse(in);
                        long took = System.nanoTime() - t0;
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = took / 1000;
                        seen.merge(status, 1L, Long::sum);
                    }
                } catch (IOException e) {
                    seen.merge(-1, 1L, Long::sum);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                latencies[connection] = mine;
                counts[connection] = n;
                synchronized (statuses) {
                    seen.forEach((s, k) -> statuses.computeIfAbsent(s, x -> new AtomicLong()).addAndGet(k));
                }
            }, "bench-" + c);
            threads.add(t);
            t.start();
        }
        ready.await();
        long cpuBefore = cpuMillis();
        long dbCpuBefore = databaseCpuMillis();
        long jitBefore = jitCpuMillis();
        java.time.Instant from = java.time.Instant.now();
        window[0] = System.nanoTime();
        window[1] = window[0] + durationSeconds * 1_000_000_000L;
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        long cpu = cpuMillis() - cpuBefore;
        long dbCpu = databaseCpuMillis() - dbCpuBefore;
        long jit = jitCpuMillis() - jitBefore;
        // When each path ran, to find its samples in a profile of the service (docs/performance.md).
        windows.add(String.format("window %-40s %s %s", name, from, java.time.Instant.now()));
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        statuses.forEach((status, count) -> {
            if (status != expected) {
                wrongAnswers.merge(name + " -> " + (status == -1 ? "I/O error" : status), count.get(), Long::sum);
            }
        });
        long p50 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.50))];
        long p99 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))];
        return new Result(name, total, elapsed, p50, p99, cpu, dbCpu, jit);
    }

    private static byte[] get(String path, String token) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] post(String path, String token, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    /** Reads one HTTP/1.1 answer (Content-Length or chunked body) and returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            int colon = header.indexOf(':');
            String key = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (key.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (key.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine(in).split(";")[0].trim(), 16); size > 0;
                    size = Long.parseLong(readLine(in).split(";")[0].trim(), 16)) {
                skip(in, size);
                readLine(in);
            }
            readLine(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long left = n; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed mid-body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    // ---- pgbench --------------------------------------------------------------------------------------

    /** A refused advance: read the rollout row, append the refusal to the history, queue its outbox row. */
    static final String REFUSED_ADVANCE_SQL = """
            \\set i random(10, 41)
            BEGIN;
            SELECT * FROM rollout WHERE id = ('00000000-0000-0000-0000-0000000000' || :i)::uuid;
            INSERT INTO deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor, details)
              VALUES (('00000000-0000-0000-0000-0000000000' || :i)::uuid, statement_timestamp(), 'advance_refused',
                      50, 50, 'pgbench', '{"type":"advance_refused","refusal":"too-early"}');
            INSERT INTO event_outbox (event_seq, rollout_id, channel, payload, next_attempt_at, created_at)
              VALUES (currval('deployment_state_seq_seq'), ('00000000-0000-0000-0000-0000000000' || :i)::uuid,
                      'grafana', '{"text":"advance refused","tags":["rollout"]}', statement_timestamp(), statement_timestamp());
            END;
            """;

    /**
     * A transition: lock the row, update it, append its history event, queue its outbox row. Like a pause or a
     * resume, the update changes {@code state} (PAUSED and PROGRESSING in turn) and {@code earliest_advance_at},
     * which indexes cover ({@code state} is in the predicate of the one-active-rollout-per-target index, which
     * no transition can do without), so PostgreSQL must write a new index entry for each, as it does for the
     * service's own transitions.
     */
    static final String TRANSITION_SQL = transitionScript("""
            UPDATE rollout SET state = CASE state WHEN 'PAUSED' THEN 'PROGRESSING' ELSE 'PAUSED' END,
                   earliest_advance_at = statement_timestamp() + interval '1 day',
                   updated_at = statement_timestamp(), dwell_started_at = statement_timestamp(),
                   row_version = row_version + 1""");

    /**
     * The reference of earlier measurements, printed next to it: the update changes only columns that no index
     * covers, which PostgreSQL can do as a heap-only (HOT) update, without touching any index.
     */
    static final String TRANSITION_HOT_SQL = transitionScript("""
            UPDATE rollout SET updated_at = statement_timestamp(), dwell_started_at = statement_timestamp(),
                   row_version = row_version + 1""");

    private static String transitionScript(String update) {
        return """
                \\set i random(10, 41)
                BEGIN;
                SELECT * FROM rollout WHERE id = ('00000000-0000-0000-0000-0000000000' || :i)::uuid FOR UPDATE;
                %s
                  WHERE id = ('00000000-0000-0000-0000-0000000000' || :i)::uuid;
                INSERT INTO deployment_state (rollout_id, at, action, from_percentage, to_percentage, actor, reason, details)
                  VALUES (('00000000-0000-0000-0000-0000000000' || :i)::uuid, statement_timestamp(), 'paused',
                          50, 50, 'pgbench', 'bench', '{"type":"paused"}');
                INSERT INTO event_outbox (event_seq, rollout_id, channel, payload, next_attempt_at, created_at)
                  VALUES (currval('deployment_state_seq_seq'), ('00000000-0000-0000-0000-0000000000' || :i)::uuid,
                          'grafana', '{"text":"paused","tags":["rollout"]}', statement_timestamp(), statement_timestamp());
                END;
                """.formatted(update);
    }

    /** Rollouts of the bench plan for pgbench's scripts, with ids it can compute from a number. */
    private void prepareForPgbench(TestDatabase.Location db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO rollout (id, plan_id, target, version, state, step_index, step_count, current_percentage,
                        step_entered_at, dwell_started_at, earliest_advance_at, started_at, updated_at)
                    SELECT ('00000000-0000-0000-0000-0000000000' || i)::uuid, p.id, 'pgbench-' || i, 'v1', 'PAUSED', 0, 2, 50,
                        now(), now(), now() + interval '1 day', now(), now()
                    FROM generate_series(10, %d) i, (SELECT id FROM plan WHERE name = '%s') p""".formatted(
                    9 + PGBENCH_ROLLOUTS, PLAN));
        }
    }

    /** Runs pgbench with {@code script} on the bench database; returns its rate and the database CPU per transaction. */
    private Pgbench pgbench(TestDatabase.Location db, String name, String script) throws Exception {
        Path file = Files.createTempFile("bench-" + name, ".sql");
        Files.writeString(file, script);
        Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)").matcher(db.jdbcUrl());
        assertTrue(url.matches(), db.jdbcUrl());
        List<String> command = List.of(System.getProperty("bench.pgbench", "pgbench"), "-n", "-M", "prepared",
                "-c", Integer.toString(connections), "-j", Integer.toString(Math.min(connections, 4)),
                "-T", Integer.toString(seconds), "-h", url.group(1), "-p", url.group(2), "-U", db.user(),
                "-f", file.toString(), url.group(3));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", db.password() == null ? "" : db.password());
        long serviceCpuBefore = cpuMillis();
        long started = System.nanoTime();
        Process process = builder.start();
        // pgbench's connections live only while it runs: read their CPU over its middle seconds.
        long[] dbCpuWindow = new long[3];
        Thread meter = new Thread(() -> {
            try {
                Thread.sleep(1000);
                long from = System.nanoTime();
                dbCpuWindow[0] = databaseCpuMillis();
                Thread.sleep(Math.max(1, seconds - 2) * 1000L);
                dbCpuWindow[1] = databaseCpuMillis() - dbCpuWindow[0];
                dbCpuWindow[2] = (System.nanoTime() - from) / 1_000_000;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-pgbench-meter");
        meter.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        double serviceCpuPerSecond = (cpuMillis() - serviceCpuBefore) / ((System.nanoTime() - started) / 1e9);
        meter.join();
        Files.deleteIfExists(file);
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(output);
        if (exit != 0 || !tps.find()) {
            throw new IllegalStateException("pgbench " + name + " failed (" + exit + "):\n" + output);
        }
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(output);
        if (failed.find() && !failed.group(1).equals("0")) {
            wrongAnswers.put("pgbench " + name + " failed transactions", Long.parseLong(failed.group(1)));
        }
        double rate = Double.parseDouble(tps.group(1));
        return new Pgbench(rate, dbCpuWindow[2] == 0 ? 0 : dbCpuWindow[1] / (rate * dbCpuWindow[2] / 1000.0),
                serviceCpuPerSecond);
    }

    /**
     * A pgbench run: transactions per second, PostgreSQL's CPU per transaction (the shape's cost alone), and the
     * service's CPU per second meanwhile (its background work, which competes with pgbench for the machine).
     */
    private record Pgbench(double tps, double dbCpuMillis, double serviceCpuPerSecond) {
    }

    /**
     * CPU time so far of the PostgreSQL connections to the bench database (user + system; a connection's process
     * names its database), in ms: what a path's requests cost the database, the service's background work on it
     * included, and nothing of other databases on the same server. Only connections alive at both readings
     * count: the service's pool keeps its connections, and pgbench's are read while it runs. Linux only.
     */
    private long databaseCpuMillis() {
        long total = 0;
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (!entry.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    if (!stat.contains("(postgres)")
                            || !Files.readString(entry.resolve("cmdline")).contains(" " + databaseName + " ")) {
                        continue; // another database's connection, or the server's own processes
                    }
                    total += cpuMillisOf(stat);
                } catch (IOException | RuntimeException gone) {
                    // the process ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }

    /**
     * The service process's CPU time so far (user + system, all threads), in ms: what a path's requests cost the
     * service itself, whatever share of the machine other processes take. Linux only; 0 elsewhere.
     */
    private long cpuMillis() {
        try {
            return cpuMillisOf(Files.readString(Path.of("/proc", Long.toString(appPid), "stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU time so far of the service's JIT compiler threads (HotSpot names them "C1 CompilerThread" and
     * "C2 CompilerThread"; the kernel cuts a thread's name at 15 characters), in ms. Linux only; 0 elsewhere.
     */
    private long jitCpuMillis() {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(appPid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    total += cpuMillisOf(stat);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }

    /** User + system CPU time in ms from a process's or thread's {@code /proc/…/stat} line (utime, stime; USER_HZ 100). */
    private static long cpuMillisOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** VmRSS and VmHWM (peak) of the process, from /proc. */
    private static String rss(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            String rss = lines.stream().filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?");
            String hwm = lines.stream().filter(l -> l.startsWith("VmHWM:")).findFirst().orElse("VmHWM: ?");
            return rss.replaceAll("\\s+", " ") + ", peak " + hwm.replaceAll("\\s+", " ").replace("VmHWM: ", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
