package dev.rollout.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged service ({@code java -jar quarkus-run.jar}) running as a child process on a free loopback
 * port, with its console output in {@code target/it-logs/}. {@link #start} returns once the readiness
 * check answers 200; {@link #kill()} ends it like a crash, {@link #stop()} like an orderly shutdown.
 */
public final class AppProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String name;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final long launchedAt = System.nanoTime();
    private volatile Duration startup;

    private AppProcess(String name, Process process, int port, int managementPort, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** The bootstrap admin credential every launched instance gets, and that {@link #get}/{@link #post} send. */
    public static final String ADMIN_TOKEN = "it-admin-" + java.util.UUID.randomUUID().toString().replace("-", "");

    /** The environment that points an instance at a database. */
    public static Map<String, String> databaseEnv(String jdbcUrl, String user, String password) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ROLLOUT_DB_URL", jdbcUrl);
        env.put("ROLLOUT_DB_USER", user);
        env.put("ROLLOUT_DB_PASSWORD", password == null ? "" : password);
        return env;
    }

    /**
     * Starts an instance with {@code env} on top of the inherited environment (minus any ROLLOUT_ and QUARKUS_
     * variables, so the machine's settings never leak into a test) and waits until it is ready. A
     * {@code null} value in {@code env} removes that variable (e.g. a default this helper sets).
     * Every integration test launches the packaged service through this class.
     */
    public static AppProcess start(String name, Map<String, String> env) {
        return start(name, env, TEST_JVM_OPTIONS);
    }

    /** As {@link #start(String, Map)}, with these JVM options instead of the quick-start ones tests use. */
    public static AppProcess start(String name, Map<String, String> env, List<String> jvmOptions) {
        AssertionError last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            Path logFile = logDirectory().resolve(name + "-" + SEQUENCE.incrementAndGet() + ".log");
            AppProcess app = launch(name, env, port, logFile, jvmOptions);
            try {
                app.awaitReady();
                return app;
            } catch (AssertionError e) {
                app.kill();
                last = e;
                // Another process may have taken the port between our probe and the bind: try a new one.
                String output = app.logText();
                if (!output.contains("already bound") && !output.contains("already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /**
     * Launches an instance that serves on its own terms (e.g. HTTPS only, its ports in {@code env}) without
     * waiting for it: the caller probes readiness itself. Same environment rules as {@link #start}.
     */
    public static AppProcess launchWithoutWaiting(String name, Map<String, String> env) {
        Path logFile = logDirectory().resolve(name + "-" + SEQUENCE.incrementAndGet() + ".log");
        return launch(name, env, freePort(), logFile, TEST_JVM_OPTIONS);
    }

    /**
     * C1 only and the serial collector: the same behaviour, started in about half the time on a small,
     * busy machine (start-up dominates these tests). Benchmarks pass their own options.
     */
    public static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    private static AppProcess launch(String name, Map<String, String> env, int port, Path logFile,
            List<String> jvmOptions) {
        Path jar = appJar();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(jar.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().removeIf(k -> k.startsWith("ROLLOUT_") || k.startsWith("QUARKUS_"));
        childEnv.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        childEnv.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // /q/metrics is served on the management interface only: a free loopback port of its own per instance.
        int managementPort = freePort();
        childEnv.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        childEnv.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        childEnv.put("ROLLOUT_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
        // These tests poll advance; per-token budgets are tested on their own (SecureDeploymentIT).
        childEnv.put("ROLLOUT_RATE_LIMIT_ADVANCE_PER_MINUTE", "0");
        childEnv.put("ROLLOUT_RATE_LIMIT_WRITES_PER_MINUTE", "0");
        env.forEach((key, value) -> {
            if (value == null) {
                childEnv.remove(key);
            } else {
                childEnv.put(key, value);
            }
        });
        try {
            return new AppProcess(name, builder.start(), port,
                    Integer.parseInt(childEnv.getOrDefault("QUARKUS_MANAGEMENT_PORT", "9000")), logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready; log "
                        + log + ":\n" + logTail());
            }
            try {
                if (send(HttpRequest.newBuilder(uri("/q/health/ready")).GET(), PROBE_TIMEOUT).status() == 200) {
                    startup = Duration.ofNanos(System.nanoTime() - launchedAt);
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            waitForExit(Duration.ofMillis(200));
        }
        throw new AssertionError(name + " was not ready within " + READY_TIMEOUT + "; log " + log + ":\n" + logTail());
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface, where /q/metrics is served. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public String name() {
        return name;
    }

    /** How long the instance took from launch to its first ready answer. */
    public Duration startup() {
        return startup;
    }

    public Path log() {
        return log;
    }

    /** The operating system's id of the process. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the process at once (SIGKILL): no shutdown hook, no graceful close of anything, like a crash. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** Asks the process to shut down (SIGTERM) and waits for it; forces it if it does not end in time. */
    public void stop() {
        process.destroy();
        if (!waitForExit(Duration.ofSeconds(30))) {
            kill();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    // ---- HTTP -----------------------------------------------------------------------------------------

    /** An HTTP answer: status, headers and body text, with the body readable as JSON. */
    public record Reply(int status, HttpHeaders headers, String body) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        /** The problem type's last path segment ("too-early"), or "" when the answer is not a problem. */
        public String problemType() {
            if (!contentType().startsWith("application/problem+json")) {
                return "";
            }
            String type = json().path("type").asText("");
            return type.substring(type.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + body;
        }
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), REQUEST_TIMEOUT);
    }

    /** GET /q/metrics on the management interface (without a credential: that port needs none). */
    public Reply metrics() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/metrics"))
                    .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": GET " + managementUrl() + "/q/metrics failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), REQUEST_TIMEOUT);
    }

    /** A DELETE with a JSON body (lifting a freeze needs a reason). */
    public Reply delete(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                    REQUEST_TIMEOUT);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public Reply post(String path, Object body) {
        String text;
        try {
            text = body == null ? "" : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)), REQUEST_TIMEOUT);
    }

    /** POST as the holder of {@code token} instead of the admin. */
    public Reply postAs(String path, String token, Object body) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": POST " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    private Reply send(HttpRequest.Builder request, Duration timeout) {
        request.header("Authorization", "Bearer " + ADMIN_TOKEN);
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + request.build().method() + " " + request.build().uri()
                    + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** The last lines of the process's output, for failure messages. */
    public String logTail() {
        List<String> lines = List.of(logText().split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static Path appJar() {
        String jar = System.getProperty("rollout.app.jar");
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("system property rollout.app.jar is not set: run the ITs through failsafe");
        }
        Path path = Path.of(jar).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " does not exist: package the application first");
        }
        return path;
    }

    /** target/it-logs, next to target/quarkus-app. */
    static Path logDirectory() {
        Path dir = appJar().getParent().getParent().resolve("it-logs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** A loopback port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
