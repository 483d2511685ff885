package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.rollout.support.TestDatabase;

/**
 * {@code deploy/rolloutctl} against the packaged service, as a release engineer or a script runs it: its
 * output and its exit codes (0 done, 1 other, 2 usage or input, 3 too-early, 4 gates-failing, 5 not
 * progressing, 6 frozen or outside a window, 7 approval required, 8 access refused). The watch ticks once an
 * hour here, so nothing but the client moves a rollout; no ROLLOUT_PROMETHEUS_URL, so a gate that needs
 * Prometheus is in ERROR and blocks (fail closed).
 */
class RolloutCtlIT {

    private static final Path SCRIPT = Path.of("deploy/rolloutctl").toAbsolutePath();
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern ID = Pattern.compile("started rollout ([0-9a-f-]{36})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AppProcess app;
    private static Path files;
    private static String operator;
    private static String viewer;
    private static final List<String> SECRETS = new ArrayList<>();

    @BeforeAll
    static void startService() throws IOException {
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_cli");
        Map<String, String> env = AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password());
        env.put("ROLLOUT_EVALUATION_INTERVAL", "1h");
        env.put("ROLLOUT_WATCH_LEASE", "3h");
        app = AppProcess.start("rolloutctl", env);
        operator = token("cli-operator", "operator");
        viewer = token("cli-viewer", "viewer");
        SECRETS.addAll(List.of(operator, viewer, AppProcess.ADMIN_TOKEN));
        files = Files.createTempDirectory(AppProcess.logDirectory(), "rolloutctl-");
        // Rollouts whose start is not under test are set up through the API: one process less each.
        AppProcess.Reply plan = app.post("/api/v1/plans", Map.of("name", PLAN, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(Map.of("percentage", 10, "minDwell", "PT1H"), Map.of("percentage", 100, "minDwell", "PT1H"))));
        assertEquals(201, plan.status(), plan.toString());
    }

    private static final String PLAN = "cli_plain";

    private static String rollout(String target) {
        AppProcess.Reply started = app.post("/api/v1/rollouts", Map.of("plan", PLAN, "target", target, "version", "v1"));
        assertEquals(201, started.status(), started.toString());
        return started.json().path("id").asText();
    }

    @AfterAll
    static void stopService() {
        if (app != null) {
            assertFalse(app.logText().contains("dev.rollout.cli"), "the service never loads the client");
            app.close();
        }
    }

    @Test
    void aReleaseFromPlanPreviewToATooEarlyAdvance() throws IOException {
        Path plan = plan("cli_release", """
                "steps": [{"percentage": 5, "minDwell": "PT28H"}, {"percentage": 50, "minDwell": "PT28H"},
                          {"percentage": 100, "minDwell": "PT1H"}]""");
        Run preview = cli(operator, "plan", "preview", plan.toString());
        preview.exits(0);
        assertTrue(preview.out.contains("STEP  PERCENTAGE  MIN DWELL  EARLIEST AFTER START"), preview.out);
        assertTrue(preview.out.contains("2        50 %  1d 4h      1d 4h"), preview.out);
        assertTrue(preview.out.contains("minimum duration to COMPLETED: 2d 9h"), preview.out);
        assertTrue(preview.out.contains("no-gates:"), preview.out);

        cli(operator, "plan", "apply", plan.toString()).exits(0).says("created plan cli_release version 1");
        cli(operator, "plan", "apply", plan.toString()).exits(0).says("unchanged: version 1 is the latest");
        cli(viewer, "plan", "list").exits(0).says("cli_release");

        String id = start("cli_release", "cli-release-svc");
        cli(operator, "advance", id).exits(0).says("advanced " + id + " to 5 %");
        Run early = cli(operator, "advance", id).exits(3);
        assertTrue(early.err.contains("too-early"), early.err);
        assertTrue(early.err.contains("earliest advance at"), early.err);
        JsonNode problem = cli(operator, "-o", "json", "advance", id).exits(3).json();
        assertEquals("/problems/too-early", problem.path("type").asText());
        assertTrue(problem.hasNonNull("earliestAdvanceAt"));

        Run status = cli(viewer, "status", id).exits(0);
        assertTrue(status.out.contains("PROGRESSING at 5 % (step 1 of 3)"), status.out);
        assertTrue(status.out.contains("next      50 % not before"), status.out);
        assertTrue(status.out.contains("(in 1d 3h") || status.out.contains("(in 1d 4h)"), status.out);
        JsonNode shown = cli(viewer, "-o", "json", "status", id).exits(0).json();
        assertEquals(id, shown.path("id").asText());
        assertTrue(shown.path("gates").isArray());

        Run history = cli(viewer, "history", id).exits(0);
        assertTrue(history.out.contains("started"), history.out);
        assertTrue(history.out.contains("advance_refused"), history.out);
        assertTrue(history.out.contains("too-early"), history.out);
        JsonNode listed = cli(viewer, "-o", "json", "list", "--state", "progressing", "--target", "cli-release-*")
                .exits(0).json();
        assertEquals(1, listed.size());
        assertEquals(id, listed.get(0).path("id").asText());
    }

    @Test
    void aFailingGateIsFour() throws IOException {
        Path plan = plan("cli_gated", """
                "steps": [{"percentage": 10, "minDwell": "PT1H"}, {"percentage": 100, "minDwell": "PT1H"}],
                "gates": [{"name": "app-metrics", "kind": "metrics-present", "metrics": ["cli_app_requests_total"]}]""");
        cli(operator, "plan", "apply", plan.toString()).exits(0);
        String id = start("cli_gated", "cli-gated-svc");
        Run refused = cli(operator, "advance", id).exits(4);
        assertTrue(refused.err.contains("gates-failing"), refused.err);
        assertTrue(refused.err.contains("app-metrics"), refused.err);
    }

    @Test
    void refusalsOfTheRolloutsStateAreFive() throws IOException {
        String id = rollout("cli-states-svc");
        cli(operator, "pause", id, "--reason", "error budget").exits(0).says("paused " + id + ": PAUSED at 0 %");
        cli(operator, "advance", id).exits(5).complains("not-progressing");
        cli(operator, "resume", id, "--reason", "budget back").exits(0).says("resumed " + id + ": PROGRESSING");
        cli(operator, "resume", id, "--reason", "again").exits(5).complains("not-paused");
        cli(operator, "abort", id, "--reason", "superseded").exits(0).says("aborted " + id + ": ABORTED");
        cli(operator, "rollback", id, "--reason", "too late").exits(5).complains("already-finished");
        // Watching a finished rollout ends at once, with its outcome.
        cli(viewer, "status", id, "--watch").exits(5).says("state     ABORTED");
    }

    @Test
    void badUsageAndBadInputAreTwo() throws IOException {
        cli(operator, "frobnicate").exits(2).complains("unknown command 'frobnicate'");
        // (every other usage error: RolloutCtlTest, without a server)
        Path invalid = plan("cli_invalid", """
                "steps": [{"percentage": 50, "minDwell": "PT1H"}, {"percentage": 20, "minDwell": "PT1H"}]""");
        cli(operator, "plan", "apply", invalid.toString()).exits(2).complains("invalid-plan");
        Run preview = cli(operator, "plan", "preview", invalid.toString()).exits(2);
        assertTrue(preview.out.contains("is not valid"), preview.out);
        cli(viewer, "status", "00000000-0000-0000-0000-000000000000").exits(2).complains("not-found");
        cli(operator, "list", "--state", "SLEEPING").exits(2).complains("invalid-request");
    }

    @Test
    void refusedCredentialsAreEight() {
        cli("rt_" + "x".repeat(43), "list").exits(8).complains("unauthenticated");
        cli(viewer, "pause", "--target", "cli-*", "--reason", "outage").exits(8).complains("forbidden");
    }

    @Test
    void anUnreachableServerIsOne() {
        Run run = new Run(execute(Map.of("ROLLOUT_URL", "http://127.0.0.1:" + AppProcess.freePort(),
                "ROLLOUT_TOKEN", operator), List.of("list")));
        run.exits(1).complains("cannot reach http://127.0.0.1:");
    }

    @Test
    void aFleetIsPausedAndResumedInOneCommand() throws IOException {
        String a = rollout("cli-fleet-a");
        String b = rollout("cli-fleet-b");
        cli(operator, "pause", "--target", "cli-fleet-*", "--plan", PLAN, "--reason", "database outage")
                .exits(0).says("paused 2 rollouts, skipped 0");
        Run paused = cli(viewer, "list", "--state", "PAUSED", "--target", "cli-fleet-*").exits(0);
        assertTrue(paused.out.contains(a) && paused.out.contains(b), paused.out);
        assertEquals(200, app.post("/api/v1/rollouts/" + a + "/resume", Map.of("reason", "this one first")).status());
        Run resumed = cli(operator, "resume", "--target", "cli-fleet-*", "--reason", "database is back").exits(0);
        assertTrue(resumed.out.contains("resumed 1 rollout, skipped 1"), resumed.out);
        assertTrue(resumed.out.contains("skipped  " + a + " (not-paused, PROGRESSING)"), resumed.out);
    }

    @Test
    void advanceWaitsForTheDwellInsteadOfPolling() throws Exception {
        cli(operator, "plan", "apply", plan("cli_wait", """
                "steps": [{"percentage": 5, "minDwell": "PT4S"}, {"percentage": 100, "minDwell": "PT1H"}]""")
                .toString()).exits(0);
        AppProcess.Reply started = app.post("/api/v1/rollouts", Map.of("plan", "cli_wait", "target", "cli-wait-svc",
                "version", "v1"));
        String id = started.json().path("id").asText();
        assertEquals(200, app.post("/api/v1/rollouts/" + id + "/advance", null).status());
        long asked = System.nanoTime();
        cli(operator, "advance", id, "--wait", "30s").exits(0).says("to 100 %");
        Duration took = Duration.ofNanos(System.nanoTime() - asked);
        assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, "answered before the dwell could be over: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(25)) < 0, "answered long after the dwell: " + took);

        // When the wait runs out first: the server held the call all along (no polling), then the latest refusal.
        Path out = files.resolve("held.out");
        Path err = files.resolve("held.err");
        Process held = builder(operator, List.of("advance", id, "--wait", "5s")).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> heldAdvances() >= 1);
            assertTrue(held.waitFor(30, TimeUnit.SECONDS), "the wait ends");
            assertEquals(3, held.exitValue(), Files.readString(err));
            assertTrue(Files.readString(err).contains("too-early"), Files.readString(err));
        } finally {
            held.destroyForcibly();
        }
    }

    /** The service's gauge of advance calls it holds right now. */
    private static double heldAdvances() {
        return app.metrics().body().lines().filter(l -> l.startsWith("rollout_advances_held"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void statusWatchFollowsTheRolloutUntilItFinishes() throws Exception {
        String id = rollout("cli-watch-svc");
        Path out = files.resolve("watch.out");
        Path err = files.resolve("watch.err");
        Process watch = builder(viewer, List.of("status", id, "--watch", "--interval", "1s"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            // The event stream, not the history read every interval.
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(err).contains("following the events of " + id));
            assertEquals(200, app.post("/api/v1/rollouts/" + id + "/advance", null).status());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains(" step "));
            assertTrue(watch.isAlive(), "a step is no reason to stop watching");
            assertEquals(200, app.post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "bad canary")).status());
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "the watch ends when the rollout does");
            String printed = Files.readString(out);
            assertEquals(5, watch.exitValue(), printed + Files.readString(err));
            assertTrue(printed.contains("rolled_back 10 % -> 0 % by bootstrap-admin: bad canary"), printed);
            assertSecretsHidden(printed + Files.readString(err));
        } finally {
            watch.destroyForcibly();
        }
    }

    @Test
    void aFreezeIsSixUntilItIsLifted() {
        String id = rollout("cli-frozen-svc");
        cli(operator, "freeze", "create", "cli-freeze", "--until", "2h", "--target", "cli-frozen-*", "--reason",
                "change freeze").exits(0).says("created freeze cli-freeze");
        cli(viewer, "freeze", "list").exits(0).says("cli-freeze");
        Run frozen = cli(operator, "advance", id).exits(6);
        assertTrue(frozen.err.contains("frozen") && frozen.err.contains("until"), frozen.err);
        cli(operator, "start", PLAN, "cli-frozen-other", "v1").exits(6).complains("frozen");
        cli(operator, "freeze", "delete", "cli-freeze", "--reason", "freeze over").exits(0).says("lifted freeze cli-freeze");
        cli(operator, "advance", id).exits(0).says("to 10 %");
    }

    @Test
    void outsideTheAdvanceWindowIsSix() throws IOException {
        // A window of half an hour twelve hours from now, every day: now is outside it.
        int hour = (java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).getHour() + 12) % 24;
        String from = String.format("%02d:00", hour);
        String until = String.format("%02d:30", hour);
        cli(operator, "plan", "apply", plan("cli_windowed", """
                "steps": [{"percentage": 10, "minDwell": "PT1H"}, {"percentage": 100, "minDwell": "PT1H"}],
                "advanceWindows": [{"days": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
                                    "from": "%s", "until": "%s", "zone": "UTC"}]""".formatted(from, until))
                .toString()).exits(0);
        String id = start("cli_windowed", "cli-windowed-svc");
        cli(operator, "advance", id).exits(6).complains("outside-window");
    }

    @Test
    void anApprovalIsSevenUntilGiven() throws IOException {
        cli(operator, "plan", "apply", plan("cli_approved", """
                "steps": [{"percentage": 10, "minDwell": "PT1H", "approval": true},
                          {"percentage": 100, "minDwell": "PT1H"}]""").toString()).exits(0);
        String id = start("cli_approved", "cli-approved-svc");
        cli(operator, "advance", id).exits(7).complains("approval-required");
        cli(viewer, "status", id).exits(0).says("approval  required for the next step");
        cli(operator, "approve", id, "--reason", "change board said yes").exits(0).says("approved the next step");
        cli(operator, "advance", id).exits(0).says("to 10 %");
    }

    /** deploy/rolloutctl packages the application only when the package is missing or older than the sources. */
    @Test
    void theScriptPackagesOnlyWhenThePackageIsMissingOrStale() throws Exception {
        Path project = Files.createTempDirectory(files, "project-");
        Files.createDirectories(project.resolve("deploy"));
        Files.copy(SCRIPT, project.resolve("deploy/rolloutctl"));
        Path source = Files.createDirectories(project.resolve("src/main/java")).resolve("Some.java");
        Files.writeString(source, "class Some {}");
        Files.createDirectories(project.resolve("db"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Path packaged = AppProcess.appJar().getParent();
        Path log = project.resolve("builds.log");
        // Stands in for the Maven wrapper: records the call and lays out a package of the real jars.
        Files.writeString(project.resolve("mvnw"), String.join("\n", "#!/usr/bin/env bash", "set -e",
                "echo \"$*\" >> '" + log + "'", "rm -rf target/quarkus-app", "mkdir -p target/quarkus-app/lib",
                "ln -s '" + packaged.resolve("app") + "' target/quarkus-app/app",
                "ln -s '" + packaged.resolve("lib/main") + "' target/quarkus-app/lib/main",
                "touch target/quarkus-app/quarkus-run.jar", ""));
        assertTrue(project.resolve("mvnw").toFile().setExecutable(true));
        Path script = project.resolve("deploy/rolloutctl");
        assertTrue(script.toFile().setExecutable(true));

        assertEquals(0, runScript(script, "--help"), "first use: packages, then runs");
        assertEquals(List.of("-B -q -DskipTests package"), Files.readAllLines(log));
        assertEquals(0, runScript(script, "--help"));
        assertEquals(1, Files.readAllLines(log).size(), "fresh package: no build");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(0, runScript(script, "--help"));
        assertEquals(2, Files.readAllLines(log).size(), "a source newer than the package: built again");
    }

    private static int runScript(Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(k -> k.startsWith("ROLLOUT"));
        Process process = builder.start();
        assertTrue(process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        return process.exitValue();
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static String token(String name, String role) {
        AppProcess.Reply reply = app.post("/api/v1/tokens", Map.of("name", name, "role", role));
        assertEquals(201, reply.status(), reply.toString());
        return reply.json().path("token").asText();
    }

    private static Path plan(String name, String rest) throws IOException {
        Path file = files.resolve(name + ".json");
        Files.writeString(file, "{\"name\": \"" + name + "\", \"mode\": \"MANUAL\", \"onViolation\": \"PAUSE\",\n"
                + rest + "}\n", StandardCharsets.UTF_8);
        return file;
    }

    private static String start(String plan, String target) {
        Run started = cli(operator, "start", plan, target, "v1.0.0").exits(0);
        Matcher m = ID.matcher(started.out);
        assertTrue(m.find(), started.out);
        return m.group(1);
    }

    private static Run cli(String token, String... args) {
        return new Run(execute(Map.of("ROLLOUT_URL", app.baseUrl(), "ROLLOUT_TOKEN", token), List.of(args)));
    }

    private static ProcessBuilder builder(String token, List<String> args) {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("ROLLOUT"));
        env.put("ROLLOUT_URL", app.baseUrl());
        env.put("ROLLOUT_TOKEN", token);
        // The package under test is the one the service runs from: never rebuild it under the service.
        env.put("ROLLOUTCTL_NO_BUILD", "1");
        return builder;
    }


    private static String[] execute(Map<String, String> env, List<String> args) {
        ProcessBuilder builder = builder(env.get("ROLLOUT_TOKEN"), args);
        builder.environment().putAll(env);
        try {
            File out = File.createTempFile("cli-", ".out", files.toFile());
            File err = File.createTempFile("cli-", ".err", files.toFile());
            Process process = builder.redirectOutput(out).redirectError(err).start();
            if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("rolloutctl " + args + " did not end within " + RUN_TIMEOUT);
            }
            String[] result = {Integer.toString(process.exitValue()), Files.readString(out.toPath()),
                    Files.readString(err.toPath()), String.join(" ", args)};
            assertSecretsHidden(result[1] + result[2]);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertSecretsHidden(String printed) {
        for (String secret : SECRETS) {
            assertFalse(printed.contains(secret), "a token was printed");
        }
    }

    /** One run of rolloutctl: exit code, stdout, stderr. */
    private static final class Run {
        final int code;
        final String out;
        final String err;
        final String command;

        Run(String[] result) {
            this.code = Integer.parseInt(result[0]);
            this.out = result[1];
            this.err = result[2];
            this.command = result[3];
        }

        Run exits(int expected) {
            assertEquals(expected, code, "rolloutctl " + command + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }

        Run says(String text) {
            assertTrue(out.contains(text), "rolloutctl " + command + " printed:\n" + out + "\nstderr:\n" + err);
            return this;
        }

        Run complains(String text) {
            assertTrue(err.contains(text), "rolloutctl " + command + " complained:\n" + err);
            return this;
        }

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }
}
