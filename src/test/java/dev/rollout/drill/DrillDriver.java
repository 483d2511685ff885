package dev.rollout.drill;

import static dev.rollout.drill.DrillChecks.DWELL;
import static dev.rollout.drill.DrillChecks.INTERVAL;
import static dev.rollout.drill.DrillChecks.OPERATOR;
import static dev.rollout.drill.DrillChecks.SCRIPT;
import static dev.rollout.drill.DrillChecks.STEPS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.drill.DrillChecks.Command;
import dev.rollout.drill.DrillChecks.Window;
import dev.rollout.it.AppProcess;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.RestartablePostgres;
import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.monitoring.MonitoringStack;

/**
 * The fault drill: three replicas of the packaged service on one PostgreSQL of their own, real Prometheus
 * and Alertmanager behind delaying loopback proxies, the Grafana stub, and load (deploy scripts advancing,
 * operators pausing, resuming, rolling back and aborting, AUTOMATIC rollouts, gate violations the drill
 * causes through a scrape target it controls), while it SIGKILLs and restarts replicas, restarts
 * PostgreSQL, stops and starts Prometheus and Alertmanager, slows Prometheus down and takes Grafana away.
 * Afterwards it checks every rollout's history against what it sent and against the rules, prints a
 * table of faults and invariants (lines starting with {@code drill:}) and answers the violations.
 * docs/reliability.md describes the method and each invariant.
 */
final class DrillDriver implements AutoCloseable {

    /** The two forms: {@code short} runs in the build, {@code long} from deploy/drill. */
    record Form(String name, int rollouts, int workers, int cycles, int scale, Duration grafanaDown,
            Duration annotationBound) {
        static Form of(String name) {
            return switch (name) {
                case "short" -> new Form("short", 14, 3, 1, 1, Duration.ofSeconds(30), Duration.ofMinutes(5));
                case "long" -> new Form("long", 30, 4, 3, 3, Duration.ofMinutes(3), Duration.ofMinutes(10));
                default -> throw new IllegalArgumentException("drill form is short or long, not " + name);
            };
        }
    }

    /** What a drill found: the printed table's rows, and the violations (empty when every invariant held). */
    record Outcome(List<String> violations, Duration took) {
    }

    /** How long after PostgreSQL is back a 503 database-unavailable still counts as part of the outage. */
    static final Duration DATABASE_GRACE = Duration.ofSeconds(20);
    static final Duration PROMETHEUS_READ_TIMEOUT = Duration.ofSeconds(2);
    static final String JOB = "drill-app";
    static final String ALERT = "DrillCanaryUnhealthy";
    static final String RULES = """
            groups:
              - name: drill
                interval: 1s
                rules:
                  - alert: DrillCanaryUnhealthy
                    expr: drill_canary_healthy == 0
                    for: 0s
                    labels: {severity: warning}
            """;
    static final Map<String, String[]> PLANS = new LinkedHashMap<>();

    static {
        PLANS.put("drill-manual-pause", new String[] {"MANUAL", "PAUSE"});
        PLANS.put("drill-auto-pause", new String[] {"AUTOMATIC", "PAUSE"});
        PLANS.put("drill-manual-rollback", new String[] {"MANUAL", "ROLLBACK"});
        PLANS.put("drill-auto-rollback", new String[] {"AUTOMATIC", "ROLLBACK"});
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Form form;
    private final Random random = new Random();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Path pgDir;
    private final int pgPort;
    private RestartablePostgres postgres;
    private final FakeTarget target = new FakeTarget();
    private MonitoringStack monitoring;
    private DelayProxy prometheusProxy;
    private DelayProxy alertmanagerProxy;
    private final GrafanaStub grafana = new GrafanaStub();
    private final DelayProxy grafanaProxy;
    private final List<Replica> replicas = new ArrayList<>();
    private final Map<String, String> tokens = new HashMap<>();

    // What the drill did and saw.
    private final List<Window> windows = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> faults = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Duration> faultTime = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Answered> answers = new CopyOnWriteArrayList<>();
    private final List<Command> commands = new CopyOnWriteArrayList<>();
    private final AtomicLong commandOrder = new AtomicLong();
    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
    private final List<Tracked> active = new CopyOnWriteArrayList<>();
    private final AtomicInteger targets = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile boolean loading;

    /** One HTTP answer the drill got (or none: status -1). */
    record Answered(Instant at, String replica, String method, String path, int status, String problem) {
    }

    static final class Tracked {
        final String id;
        final String plan;
        final ReentrantLock lock = new ReentrantLock();

        Tracked(String id, String plan) {
            this.id = id;
            this.plan = plan;
        }
    }

    static final class Replica {
        final String name;
        volatile AppProcess app;
        volatile boolean up;

        Replica(String name) {
            this.name = name;
        }
    }

    DrillDriver(Form form) throws IOException {
        this.form = form;
        Path base = Path.of(System.getProperty("rollout.app.jar", "target/quarkus-app/quarkus-run.jar"))
                .toAbsolutePath().getParent().getParent();
        this.pgDir = base.resolve("drill-pg").resolve(Long.toString(ProcessHandle.current().pid()));
        this.pgPort = AppProcess.freePort();
        this.grafanaProxy = new DelayProxy("grafana-proxy", Integer.parseInt(grafana.url().replaceAll(".*:", "")));
    }

    // ---- the run ----------------------------------------------------------------------------------------

    Outcome run() throws Exception {
        long began = System.nanoTime();
        print("form %s: %d rollouts, %d workers, %d fault cycles (durations x%d), Grafana down %d s, "
                + "evaluation interval %d s, dwell %d s", form.name(), form.rollouts(), form.workers(), form.cycles(),
                form.scale(), form.grafanaDown().toSeconds(), INTERVAL.toSeconds(), DWELL.toSeconds());
        setUp();
        print("set up in %d s", (System.nanoTime() - began) / 1_000_000_000);
        long loadBegan = System.nanoTime();
        List<Thread> workers = startLoad();
        for (int cycle = 1; cycle <= form.cycles(); cycle++) {
            faultCycle(cycle);
        }
        loading = false;
        for (Thread w : workers) {
            w.join(Duration.ofSeconds(60).toMillis());
        }
        healAll();
        print("load and faults over after %d s; %d commands sent, %d answers, %d calls with no answer",
                (System.nanoTime() - loadBegan) / 1_000_000_000, commands.size(), answers.size(), lost.get());
        List<String> violations = check();
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        print("run time %d s (form %s)", took.toSeconds(), form.name());
        return new Outcome(violations, took);
    }

    private void setUp() throws Exception {
        postgres = RestartablePostgres.start(pgDir, pgPort, Map.of("max_connections", "300"));
        target.set("drill_error_ratio", 0.01);
        target.set("drill_canary_healthy", 1);
        monitoring = MonitoringStack.start(Map.of(JOB, target.address()));
        monitoring.writeRules(RULES);
        prometheusProxy = new DelayProxy("prometheus-proxy", port(monitoring.prometheusUrl()));
        alertmanagerProxy = new DelayProxy("alertmanager-proxy", port(monitoring.alertmanagerUrl()));
        for (String name : List.of("replica-a", "replica-b", "replica-c")) {
            Replica r = new Replica(name);
            replicas.add(r);
            launch(r); // one after the other: the first one migrates the database
        }
        Replica first = replicas.get(0);
        for (String[] t : new String[][] {{SCRIPT, "deployer"}, {OPERATOR, "operator"}}) {
            AppProcess.Reply minted = first.app.post("/api/v1/tokens", Map.of("name", t[0], "role", t[1]));
            if (minted.status() != 201) {
                throw new IllegalStateException("token " + t[0] + " not minted: " + minted);
            }
            tokens.put(t[0], minted.json().path("token").asText());
        }
        for (Map.Entry<String, String[]> plan : PLANS.entrySet()) {
            List<Map<String, Object>> steps = new ArrayList<>();
            for (double p : STEPS) {
                steps.add(Map.of("percentage", p, "minDwell", p == 100 ? "PT0S" : DWELL.toString()));
            }
            AppProcess.Reply created = first.app.post("/api/v1/plans", Map.of("name", plan.getKey(),
                    "mode", plan.getValue()[0], "onViolation", plan.getValue()[1], "steps", steps,
                    "gates", List.of(
                            Map.of("name", "app-up", "kind", "target-up", "query", "up{job=\"" + JOB + "\"}"),
                            Map.of("name", "error-ratio", "kind", "query-threshold", "query", "drill_error_ratio",
                                    "condition", "< 0.5"),
                            Map.of("name", "no-canary-alert", "kind", "no-firing-alerts",
                                    "matchers", List.of("alertname=\"" + ALERT + "\"")))));
            if (created.status() != 201) {
                throw new IllegalStateException("plan " + plan.getKey() + " not created: " + created);
            }
        }
        for (int attempt = 0; active.size() < form.rollouts(); attempt++) {
            if (attempt >= 5 * form.rollouts()) {
                throw new IllegalStateException("only " + active.size() + " rollouts could be started");
            }
            startRollout();
        }
        print("set up: PostgreSQL on port %d, Prometheus %s and Alertmanager %s behind proxies, 3 replicas, "
                + "%d rollouts started", pgPort, monitoring.prometheusUrl(), monitoring.alertmanagerUrl(), active.size());
    }

    private void launch(Replica r) {
        Map<String, String> env = AppProcess.databaseEnv("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres",
                "postgres", "");
        env.put("ROLLOUT_PROMETHEUS_URL", prometheusProxy.url());
        env.put("ROLLOUT_PROMETHEUS_READ_TIMEOUT", PROMETHEUS_READ_TIMEOUT.toSeconds() + "s");
        env.put("ROLLOUT_ALERTMANAGER_URL", alertmanagerProxy.url());
        env.put("ROLLOUT_ALERTMANAGER_READ_TIMEOUT", PROMETHEUS_READ_TIMEOUT.toSeconds() + "s");
        env.put("ROLLOUT_EVALUATION_INTERVAL", INTERVAL.toSeconds() + "s");
        env.put("ROLLOUT_WATCH_LEASE", "3s");
        env.put("ROLLOUT_CONTROLLER_INSTANCE_ID", r.name);
        env.put("ROLLOUT_GRAFANA_URL", grafanaProxy.url());
        env.put("ROLLOUT_GRAFANA_TOKEN", GrafanaStub.TOKEN);
        env.put("ROLLOUT_GRAFANA_TIMEOUT", "2s");
        env.put("ROLLOUT_OUTBOX_INTERVAL", "1s");
        env.put("ROLLOUT_OUTBOX_LEASE", "10s");
        env.put("ROLLOUT_OUTBOX_INITIAL_BACKOFF", "500ms");
        env.put("ROLLOUT_OUTBOX_MAX_BACKOFF", "5s");
        env.put("ROLLOUT_METRICS_REFRESH_INTERVAL", "5s");
        r.app = AppProcess.start("drill-" + r.name, env);
        r.up = true;
    }

    // ---- faults -------------------------------------------------------------------------------------------

    private void faultCycle(int cycle) throws Exception {
        int k = form.scale();
        print("cycle %d of %d", cycle, form.cycles());
        pace(Duration.ofSeconds(6));

        // A replica dies like a crash and comes back.
        Replica victim = replicas.get((cycle + 1) % replicas.size());
        Instant t0 = Instant.now();
        victim.up = false;
        victim.app.kill();
        pace(Duration.ofSeconds(3L * k));
        launch(victim);
        fault("SIGKILL of a replica, restarted", Duration.between(t0, Instant.now()));

        // Gate violations: an alert fires, then a threshold is crossed.
        t0 = Instant.now();
        target.set("drill_canary_healthy", 0);
        pace(Duration.ofSeconds(6L * k));
        target.set("drill_canary_healthy", 1);
        fault("alert rule firing (no-firing-alerts FAIL)", Duration.between(t0, Instant.now()));
        pace(Duration.ofSeconds(3));
        t0 = Instant.now();
        target.set("drill_error_ratio", 0.9);
        pace(Duration.ofSeconds(5L * k));
        target.set("drill_error_ratio", 0.01);
        fault("metric over its threshold (query-threshold FAIL)", Duration.between(t0, Instant.now()));
        pace(Duration.ofSeconds(3));

        // Prometheus stopped and started.
        t0 = Instant.now();
        monitoring.stopPrometheus();
        Instant down = Instant.now();
        pace(Duration.ofSeconds(8L * k));
        Instant relaunch = Instant.now();
        windows.add(new Window("prometheus", down, relaunch));
        monitoring.startPrometheus();
        fault("Prometheus stopped and started", Duration.between(t0, Instant.now()));
        pace(Duration.ofSeconds(3));

        // Grafana goes away for minutes (scaled down in the short form): first answering 503, then refusing
        // connections; the rest of the cycle runs meanwhile.
        Instant grafanaDown = Instant.now();
        grafana.down();
        Thread grafanaBack = new Thread(() -> {
            pace(form.grafanaDown().dividedBy(2));
            grafanaProxy.refuse();
            pace(form.grafanaDown().dividedBy(2));
            try {
                grafanaProxy.accept();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            grafana.up();
        }, "drill-grafana-outage");
        grafanaBack.start();

        // Alertmanager stopped and started.
        t0 = Instant.now();
        monitoring.stopAlertmanager();
        down = Instant.now();
        pace(Duration.ofSeconds(8L * k));
        relaunch = Instant.now();
        windows.add(new Window("alertmanager", down, relaunch));
        monitoring.startAlertmanager();
        fault("Alertmanager stopped and started", Duration.between(t0, Instant.now()));
        pace(Duration.ofSeconds(3));

        // Network delay to Prometheus: first below the gates' read timeout (slow, still answering), then
        // above it (every request times out).
        t0 = Instant.now();
        prometheusProxy.delay(500);
        pace(Duration.ofSeconds(8L * k));
        long slow = PROMETHEUS_READ_TIMEOUT.toMillis() + 1000;
        Instant slowFrom = Instant.now();
        prometheusProxy.delay(slow);
        pace(Duration.ofSeconds(10L * k));
        Instant slowTo = Instant.now();
        prometheusProxy.delay(0);
        // An answer arriving 2 x delay after the delay began waited longer than the read timeout.
        windows.add(new Window("prometheus", slowFrom.plusMillis(2 * slow), slowTo));
        fault("network delay to Prometheus (500 ms, then " + slow + " ms)", Duration.between(t0, Instant.now()));
        pace(Duration.ofSeconds(3));

        // PostgreSQL restarted (fast shutdown: sessions are cut) after a few seconds down.
        t0 = Instant.now();
        postgres.stop();
        pace(Duration.ofSeconds(5L * k));
        postgres.start();
        windows.add(new Window("database", t0, Instant.now().plus(DATABASE_GRACE)));
        fault("PostgreSQL restart", Duration.between(t0, Instant.now()));

        grafanaBack.join();
        fault("Grafana down (503, then connection refused)", Duration.between(grafanaDown, Instant.now()));
        pace(Duration.ofSeconds(5));
    }

    private void fault(String name, Duration took) {
        faults.merge(name, 1, Integer::sum);
        faultTime.merge(name, took, Duration::plus);
        print("injected: %s (%d s)", name, took.toSeconds());
    }

    private void healAll() throws IOException {
        grafana.up();
        grafanaProxy.accept();
        prometheusProxy.delay(0);
        monitoring.startPrometheus();
        monitoring.startAlertmanager();
        target.set("drill_canary_healthy", 1);
        target.set("drill_error_ratio", 0.01);
    }

    // ---- load ---------------------------------------------------------------------------------------------

    private List<Thread> startLoad() {
        loading = true;
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < form.workers(); i++) {
            Thread t = new Thread(this::work, "drill-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        return workers;
    }

    private void work() {
        while (loading) {
            try {
                step();
            } catch (RuntimeException e) {
                print("worker: %s", e);
            }
            pace(Duration.ofMillis(150));
        }
    }

    /** One action on one rollout that no other worker is acting on, chosen from its state. */
    private void step() {
        if (active.size() < form.rollouts()) {
            startRollout(); // a start refused or unanswered earlier (e.g. while the database was down)
            return;
        }
        Tracked r = active.get(random.nextInt(active.size()));
        if (!r.lock.tryLock()) {
            return;
        }
        try {
            Reply seen = send("GET", "/api/v1/rollouts/" + r.id, OPERATOR, null, null);
            if (seen == null || seen.status != 200) {
                return;
            }
            String state = seen.json().path("state").asText();
            boolean manual = PLANS.get(r.plan)[0].equals("MANUAL");
            double roll = random.nextDouble();
            switch (state) {
                case "PROGRESSING" -> {
                    if (manual && roll < 0.70) {
                        advance(r);
                    } else if (roll < 0.78) {
                        command(r, "pause");
                    } else if (roll < 0.79) {
                        command(r, "rollback");
                    } else if (roll < 0.80) {
                        command(r, "abort");
                    }
                }
                case "PAUSED" -> {
                    if (roll < 0.5) {
                        command(r, "resume");
                    } else if (roll < 0.52) {
                        command(r, "abort");
                    }
                }
                default -> {
                    active.remove(r);
                    startRollout();
                }
            }
        } finally {
            r.lock.unlock();
        }
    }

    private void startRollout() {
        String plan = new ArrayList<>(PLANS.keySet()).get(targets.get() % PLANS.size());
        String name = "drill-svc-" + targets.incrementAndGet();
        Command c = new Command(commandOrder.incrementAndGet(), null, "start", name);
        commands.add(c);
        Reply reply = send("POST", "/api/v1/rollouts", OPERATOR,
                Map.of("plan", plan, "target", name, "version", "v" + name.hashCode()), null);
        c.statuses.add(reply == null ? -1 : reply.status);
        if (reply != null && reply.status == 201) {
            c.answer = reply.json();
            Tracked t = new Tracked(c.answer.path("id").asText(), plan);
            tracked.put(t.id, t);
            active.add(t);
        }
    }

    /** A deploy script's advance; an unanswered call is retried with the same Idempotency-Key. */
    private void advance(Tracked r) {
        String key = "drill-" + UUID.randomUUID();
        Command c = new Command(commandOrder.incrementAndGet(), r.id, "advance", key);
        commands.add(c);
        for (int attempt = 0; attempt < 8; attempt++) {
            Reply reply = send("POST", "/api/v1/rollouts/" + r.id + "/advance", SCRIPT, null, key);
            c.statuses.add(reply == null ? -1 : reply.status);
            if (reply != null && reply.status != 503) {
                if (reply.status == 200) {
                    c.answer = reply.json();
                }
                return;
            }
            pace(Duration.ofMillis(500)); // pacing of the retry, on another replica
        }
    }

    /** An operator's command with a reason only this command carries, so its event can be told apart. */
    private void command(Tracked r, String kind) {
        String reason = "drill " + kind + " #" + commandOrder.get() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Command c = new Command(commandOrder.incrementAndGet(), r.id, kind, reason);
        commands.add(c);
        Reply reply = send("POST", "/api/v1/rollouts/" + r.id + "/" + kind, OPERATOR, Map.of("reason", reason), null);
        c.statuses.add(reply == null ? -1 : reply.status);
        if (reply != null && reply.status == 200) {
            c.answer = reply.json();
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------

    record Reply(int status, String body, String replica) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Sends to a random replica that is up; answers null when it got no answer (recorded as status -1). */
    private Reply send(String method, String path, String who, Object body, String idempotencyKey) {
        List<Replica> up = replicas.stream().filter(x -> x.up).toList();
        if (up.isEmpty()) {
            return null;
        }
        Replica replica = up.get(random.nextInt(up.size()));
        AppProcess app = replica.app;
        String template = path.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}");
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + tokens.getOrDefault(who, AppProcess.ADMIN_TOKEN));
            if (idempotencyKey != null) {
                request.header("Idempotency-Key", idempotencyKey);
            }
            if (method.equals("GET")) {
                request.GET();
            } else {
                request.header("Content-Type", "application/json").POST(body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String problem = "";
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                String type = JSON.readTree(response.body()).path("type").asText("");
                problem = type.substring(type.lastIndexOf('/') + 1);
            }
            answers.add(new Answered(Instant.now(), replica.name, method, template, response.statusCode(), problem));
            return new Reply(response.statusCode(), response.body(), replica.name);
        } catch (IOException e) {
            lost.incrementAndGet();
            answers.add(new Answered(Instant.now(), replica.name, method, template, -1, e.getClass().getSimpleName()));
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode getJson(String path) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Reply reply = send("GET", path, OPERATOR, null, null);
            if (reply != null && reply.status == 200) {
                return reply.json();
            }
            pace(Duration.ofMillis(500));
        }
        throw new IllegalStateException("no answer to GET " + path);
    }

    // ---- checks -------------------------------------------------------------------------------------------

    private List<String> check() {
        // Every rollout of the database, not only those the drill knows of (a start whose answer was lost).
        List<JsonNode> rollouts = new ArrayList<>();
        getJson("/api/v1/rollouts?limit=1000").forEach(rollouts::add);
        Map<String, List<JsonNode>> histories = new TreeMap<>();
        Map<String, JsonNode> finalStates = new HashMap<>();
        for (JsonNode rollout : rollouts) {
            String id = rollout.path("id").asText();
            // A stable read: the history is the same before and after the rollout was read.
            for (int attempt = 0; ; attempt++) {
                List<JsonNode> before = history(id);
                JsonNode state = getJson("/api/v1/rollouts/" + id);
                List<JsonNode> after = history(id);
                if (before.size() == after.size() || attempt >= 30) {
                    histories.put(id, after);
                    finalStates.put(id, state);
                    break;
                }
            }
        }
        int events = histories.values().stream().mapToInt(List::size).sum();
        Map<String, Integer> byAction = new TreeMap<>();
        histories.values().forEach(h -> h.forEach(ev -> byAction.merge(ev.path("action").asText()
                + (ev.path("actor").asText().equals("controller") ? " (controller)" : ""), 1, Integer::sum)));
        Map<String, Long> states = new TreeMap<>();
        finalStates.values().forEach(r -> states.merge(r.path("state").asText(), 1L, Long::sum));
        print("%d rollouts, final states %s", histories.size(), states);
        print("%d events by action: %s", events, byAction);
        Map<String, List<String>> found = new LinkedHashMap<>();
        Map<String, String> checked = new LinkedHashMap<>();
        String[] names = {"drill commands in the history once, in order", "no transition recorded twice",
                "state equals the fold of the history", "no step held shorter than its dwell",
                "no advance while a gate source was down", "every event annotated exactly once",
                "no 5xx but 503 database-unavailable, only while the database was down"};
        for (String n : names) {
            found.put(n, new ArrayList<>());
        }

        // 1. The drill's commands.
        Map<String, List<Command>> byRollout = new HashMap<>();
        int certain = 0;
        for (Command c : commands) {
            if (c.rolloutId != null) {
                byRollout.computeIfAbsent(c.rolloutId, x -> new ArrayList<>()).add(c);
            }
            certain += c.succeeded() ? 1 : 0;
        }
        for (Map.Entry<String, List<Command>> e : byRollout.entrySet()) {
            DrillChecks.checkCommands(e.getKey(), e.getValue(), histories.getOrDefault(e.getKey(), List.of()),
                    found.get(names[0]));
        }
        for (Command c : commands) {
            if (c.kind.equals("start") && c.succeeded()) {
                String id = c.answer.path("id").asText();
                List<JsonNode> h = histories.getOrDefault(id, List.of());
                long started = h.stream().filter(x -> x.path("action").asText().equals("started")).count();
                if (started != 1 || !h.get(0).path("action").asText().equals("started")) {
                    found.get(names[0]).add(id + ": start answered 201 but the history has " + started
                            + " started events");
                }
            }
        }
        checked.put(names[0], certain + " answered commands (" + commands.stream().filter(Command::unknown).count()
                + " unanswered)");

        // 2-5. Per rollout: duplicates, fold, dwell, advances during outages.
        int moves = 0;
        for (Map.Entry<String, List<JsonNode>> e : histories.entrySet()) {
            moves += DrillChecks.checkHistory(e.getKey(), e.getValue(), finalStates.get(e.getKey()), windows,
                    found.get(names[1]), found.get(names[2]), found.get(names[3]), found.get(names[4]));
        }
        checked.put(names[1], events + " events of " + histories.size() + " rollouts");
        checked.put(names[2], histories.size() + " rollouts");
        checked.put(names[3], moves + " step moves");
        checked.put(names[4], moves + " moves against " + windows.stream().filter(w -> !w.source().equals("database"))
                .count() + " outage windows");

        // 6. Annotations: wait until Grafana has one per event, then count. The bound is generous: after a
        // long Grafana outage a rollout's backlog drains one event per outbox pass (they go in order).
        Map<String, Integer> expected = new HashMap<>();
        histories.forEach((id, h) -> h.forEach(ev -> expected.put("rollout:" + id + " event:" + ev.path("seq").asText(), 0)));
        Duration bound = form.annotationBound();
        long waitBegan = System.nanoTime();
        boolean all = waitFor(bound, () -> annotationCounts(expected).values().stream().allMatch(n -> n >= 1));
        print("annotations for all %d events %s after %d s", expected.size(), all ? "arrived" : "did NOT all arrive",
                (System.nanoTime() - waitBegan) / 1_000_000_000);
        // Events appended after the histories were read may have annotations too: never more than one.
        Map<String, Integer> counts = annotationCounts(expected);
        counts.forEach((key, n) -> {
            if (expected.containsKey(key) ? n != 1 : n > 1) {
                found.get(names[5]).add(key + " annotated " + n + " times");
            }
        });
        grafana.shapeErrors().forEach(s -> found.get(names[5]).add("request shape: " + s));
        checked.put(names[5], expected.size() + " events, " + grafana.annotationsTagged().size() + " annotations");

        // 7. Server errors.
        List<Window> db = windows.stream().filter(w -> w.source().equals("database")).toList();
        int fiveHundreds = 0;
        for (Answered a : answers) {
            if (a.status() >= 500) {
                fiveHundreds++;
                boolean during = db.stream().anyMatch(w -> w.contains(a.at()));
                if (a.status() != 503 || !a.problem().equals("database-unavailable") || !during) {
                    found.get(names[6]).add(a.at() + " " + a.replica() + " " + a.method() + " " + a.path() + " -> "
                            + a.status() + " " + a.problem() + (during ? "" : " (database up)"));
                }
            }
        }
        checked.put(names[6], answers.size() + " answers, " + fiveHundreds + " of them 5xx");

        printTable(found, checked);
        List<String> violations = new ArrayList<>();
        found.forEach((name, list) -> list.forEach(v -> violations.add(name + ": " + v)));
        return violations;
    }

    /** Annotations stored per event (tags rollout:ID and event:SEQ), with 0 for expected events without one. */
    private Map<String, Integer> annotationCounts(Map<String, Integer> expected) {
        Map<String, Integer> counts = new HashMap<>(expected);
        for (GrafanaStub.Stored s : grafana.annotationsTagged()) {
            String rollout = s.tags().stream().filter(t -> t.startsWith("rollout:")).findFirst().orElse("?");
            String event = s.tags().stream().filter(t -> t.startsWith("event:")).findFirst().orElse("?");
            counts.merge(rollout + " " + event, 1, Integer::sum);
        }
        return counts;
    }

    private List<JsonNode> history(String id) {
        List<JsonNode> events = new ArrayList<>();
        long after = -1;
        while (true) {
            JsonNode page = getJson("/api/v1/rollouts/" + id + "/history?limit=1000"
                    + (after < 0 ? "" : "&after=" + after));
            page.forEach(events::add);
            if (page.size() < 1000) {
                return events;
            }
            after = page.get(page.size() - 1).path("seq").asLong();
        }
    }

    private void printTable(Map<String, List<String>> found, Map<String, String> checked) {
        print("");
        print("%-52s %6s %10s", "fault injected", "count", "total s");
        faults.forEach((name, n) -> print("%-52s %6d %10d", name, n, faultTime.get(name).toSeconds()));
        print("");
        print("%-70s %-44s %s", "invariant", "checked", "result");
        found.forEach((name, list) -> print("%-70s %-44s %s", name, checked.getOrDefault(name, ""),
                list.isEmpty() ? "HELD" : "VIOLATED (" + list.size() + ")"));
        found.forEach((name, list) -> list.stream().limit(10).forEach(v -> print("  violation: %s: %s", name, v)));
        print("");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /** Lets time pass while the load runs: the length of a fault or of a quiet spell between faults. */
    static void pace(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean waitFor(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pace(Duration.ofMillis(500));
        }
        return condition.getAsBoolean();
    }

    static void print(String format, Object... args) {
        System.out.println("drill: " + String.format(format, args));
        System.out.flush();
    }

    @Override
    public void close() throws Exception {
        loading = false;
        for (Replica r : replicas) {
            if (r.app != null) {
                r.app.kill();
            }
        }
        if (monitoring != null) {
            monitoring.close();
        }
        target.close();
        grafanaProxy.close();
        if (prometheusProxy != null) {
            prometheusProxy.close();
        }
        if (alertmanagerProxy != null) {
            alertmanagerProxy.close();
        }
        grafana.stop();
        if (postgres != null) {
            postgres.close();
        }
    }
}
