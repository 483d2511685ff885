package dev.rollout.support.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollout.gate.AlertMatcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus and Alertmanager (the Debian packages' {@code prometheus} and
 * {@code prometheus-alertmanager} on PATH) on free 127.0.0.1 ports, in a temporary directory:
 * 1s scrape and rule evaluation, alerts resent every second, Alertmanager grouping within a second
 * and a receiver that drops notifications.
 *
 * <pre>
 * try (FakeTarget app = new FakeTarget().set("up_metric", 1);
 *      MonitoringStack stack = MonitoringStack.start(Map.of("app", app.address()))) { ... }
 * </pre>
 */
public final class MonitoringStack implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String INSTALL_HINT =
            "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Path dir;
    private final Path prometheusBinary;
    private final Path alertmanagerBinary;
    private final int prometheusPort;
    private final int alertmanagerPort;
    private final int scrapeTargetCount;
    private final Thread shutdownHook = new Thread(this::destroyAll, "monitoring-stack-shutdown");
    private Process prometheus;
    private Process alertmanager;

    private MonitoringStack(Map<String, String> scrapeTargets) throws IOException {
        prometheusBinary = binary("prometheus");
        alertmanagerBinary = binary("prometheus-alertmanager");
        dir = Files.createTempDirectory("monitoring-stack");
        scrapeTargetCount = scrapeTargets.size();
        prometheusPort = freePort();
        alertmanagerPort = freePort();
        Files.createDirectories(dir.resolve("prometheus-data"));
        Files.createDirectories(dir.resolve("alertmanager-data"));
        Files.writeString(dir.resolve("rules.yml"), "groups: []\n");
        Files.writeString(dir.resolve("prometheus.yml"), prometheusConfig(scrapeTargets));
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: blackhole
                  group_by: ['alertname']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: blackhole
                """);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts both servers and waits until they are ready.
     *
     * @param scrapeTargets job name to {@code host:port}, e.g. {@link FakeTarget#address()}
     */
    public static MonitoringStack start(Map<String, String> scrapeTargets) {
        MonitoringStack stack;
        try {
            stack = new MonitoringStack(new LinkedHashMap<>(scrapeTargets));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the monitoring stack's directory", e);
        }
        try {
            stack.startAlertmanager();
            stack.startPrometheus();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    public String prometheusUrl() {
        return "http://127.0.0.1:" + prometheusPort;
    }

    public String alertmanagerUrl() {
        return "http://127.0.0.1:" + alertmanagerPort;
    }

    /**
     * Starts Prometheus (again) on its port and data directory and waits until it is ready and has
     * scraped every target once. Prometheus starts scraping about 5s after start; until then, an
     * instant query still sees the samples written before a restart (up to the 5-minute lookback),
     * and a series that vanished meanwhile gets no staleness marker.
     */
    public synchronized void startPrometheus() {
        if (prometheus != null && prometheus.isAlive()) {
            return;
        }
        prometheus = launch("prometheus", List.of(prometheusBinary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--web.enable-lifecycle",
                "--rules.alert.resend-delay=1s"));
        awaitReady(prometheus, "prometheus", prometheusUrl());
        awaitTargetsScraped();
    }

    /** Stops Prometheus; its port then refuses connections. */
    public synchronized void stopPrometheus() {
        stop(prometheus);
        prometheus = null;
    }

    /** Stops Alertmanager; its port then refuses connections. */
    public synchronized void stopAlertmanager() {
        stop(alertmanager);
        alertmanager = null;
    }

    /** Replaces the rule file (a Prometheus rules YAML document) and reloads Prometheus. */
    public void writeRules(String yaml) {
        write(dir.resolve("rules.yml"), yaml);
        expect200(post(prometheusUrl() + "/-/reload", null), "Prometheus refused the rules");
    }

    /**
     * Creates a silence through Alertmanager API v2.
     *
     * @param matchers Alertmanager matchers such as {@code alertname="TestSuiteNotRunning"}
     * @return the silence's id
     */
    public String createSilence(List<String> matchers, Duration duration) {
        Instant now = Instant.now();
        Map<String, Object> silence = Map.of(
                "matchers", matchers.stream().map(AlertMatcher::parse).map(m -> Map.of(
                        "name", m.name(),
                        "value", m.value(),
                        "isRegex", m.operator().isRegex(),
                        "isEqual", m.operator().isEqual())).toList(),
                "startsAt", now.minusSeconds(1).toString(),
                "endsAt", now.plus(duration).toString(),
                "createdBy", "monitoring-stack",
                "comment", "created by a test");
        String body = expect200(post(alertmanagerUrl() + "/api/v2/silences", silence),
                "Alertmanager refused the silence");
        try {
            return json.readTree(body).path("silenceID").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Expires a silence created by {@link #createSilence}. */
    public void expireSilence(String id) {
        expect200(send(HttpRequest.newBuilder(URI.create(alertmanagerUrl() + "/api/v2/silence/" + id)).DELETE()
                .build()), "Alertmanager did not expire silence " + id);
    }

    /**
     * Sends Alertmanager's notifications to {@code url} (a webhook receiver, with {@code token} as its bearer
     * credential, resolved alerts too, no grouping delay) and reloads Alertmanager.
     */
    public void sendNotificationsTo(String url, String token) {
        Path tokenFile = dir.resolve("webhook-token");
        write(tokenFile, token);
        write(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: webhook
                  group_by: ['...']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: webhook
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                        http_config:
                          authorization:
                            credentials_file: '%s'
                """.formatted(url, tokenFile));
        expect200(post(alertmanagerUrl() + "/-/reload", null), "Alertmanager refused the configuration");
    }

    /** Posts a firing alert with {@code labels} to Alertmanager's API v2, lasting {@code duration}. */
    public void fireAlert(Map<String, String> labels, Duration duration) {
        Instant now = Instant.now();
        List<Map<String, Object>> alerts = List.of(Map.of("labels", labels,
                "startsAt", now.minusSeconds(1).toString(), "endsAt", now.plus(duration).toString()));
        expect200(post(alertmanagerUrl() + "/api/v2/alerts", alerts), "Alertmanager refused the alert");
    }

    /** A POST of {@code body} as JSON, or of nothing when it is null. */
    private HttpResponse<String> post(String url, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        try {
            request = body == null ? request.POST(HttpRequest.BodyPublishers.noBody())
                    : request.header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The body of a 200 answer; anything else fails with {@code refused}, the status and the body. */
    private static String expect200(HttpResponse<String> response, String refused) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(refused + " (HTTP " + response.statusCode() + "): " + response.body());
        }
        return response.body();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both servers and deletes the temporary directory. */
    @Override
    public synchronized void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already running the hook
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // best effort: it is a temporary directory
        }
    }

    /** Starts Alertmanager (again) on its port and data directory and waits until it is ready. */
    public synchronized void startAlertmanager() {
        if (alertmanager != null && alertmanager.isAlive()) {
            return;
        }
        alertmanager = launch("alertmanager", List.of(alertmanagerBinary.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("alertmanager-data"),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address="));
        awaitReady(alertmanager, "alertmanager", alertmanagerUrl());
    }

    private synchronized void destroyAll() {
        stop(prometheus);
        stop(alertmanager);
        prometheus = null;
        alertmanager = null;
    }

    private void awaitTargetsScraped() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest targets = HttpRequest.newBuilder(URI.create(prometheusUrl() + "/api/v1/targets?state=active"))
                .timeout(Duration.ofSeconds(1)).build();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(targets, HttpResponse.BodyHandlers.ofString()).body();
                JsonNode active = json.readTree(last).path("data").path("activeTargets");
                boolean allScraped = active.size() == scrapeTargetCount;
                for (JsonNode target : active) {
                    allScraped &= !"unknown".equals(target.path("health").asText("unknown"));
                }
                if (allScraped) {
                    return;
                }
                Thread.sleep(100); // polling interval while Prometheus starts its scrape loops
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Prometheus did not scrape its targets within " + READY_TIMEOUT.toSeconds()
                + "s: " + last + "\n" + logTail("prometheus"));
    }

    private String prometheusConfig(Map<String, String> scrapeTargets) {
        String jobs = scrapeTargets.entrySet().stream().map(e -> """
                  - job_name: '%s'
                    static_configs:
                      - targets: ['%s']
                """.formatted(e.getKey(), e.getValue())).collect(Collectors.joining());
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['127.0.0.1:%d']
                rule_files:
                  - '%s'
                scrape_configs:
                %s""".formatted(alertmanagerPort, dir.resolve("rules.yml"), jobs.isEmpty() ? "  []\n" : jobs);
    }

    private Process launch(String name, List<String> command) {
        try {
            return new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    private void awaitReady(Process process, String name, String baseUrl) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl + "/-/ready")).timeout(Duration.ofSeconds(1)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + ":\n" + logTail(name));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(50); // polling interval of the readiness probe
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT.toSeconds() + "s:\n" + logTail(name));
    }

    /** The last lines of the Prometheus log, for diagnosing a failing test. */
    public String prometheusLog() {
        return logTail("prometheus");
    }

    private String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path binary(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("'" + name + "' is not on PATH; the monitoring tests need a real Prometheus and "
                + "Alertmanager: " + INSTALL_HINT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
