package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.deploy.Deployables;
import dev.rollout.deploy.Yaml;
import dev.rollout.support.TestDatabase;

/**
 * The container image, as far as it can be checked without a container runtime, run after packaging
 * (failsafe): src/main/docker/Dockerfile.jvm copies only files the build produced and everything the
 * packaged service needs, runs as a numeric non-root user and exposes the API and management ports; its
 * entry point, run from a copy of the image's file layout as the Dockerfile lays it out, starts the
 * service with JAVA_OPTS and JAVA_OPTS_APPEND, against a real database, and it answers every probe the
 * Kubernetes Deployment declares.
 */
class ContainerImageIT {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DOCKERFILE = ROOT.resolve(Deployables.DOCKERFILE);
    static final Path APP = AppProcess.appJar().getParent();
    static final ObjectMapper JSON = new ObjectMapper();

    record Instruction(String keyword, String arguments) {
    }

    record Copy(List<String> sources, String destination) {
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<Instruction> instructions() {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Deployables.read(DOCKERFILE).split("\n")) {
            if (line.strip().startsWith("#") && current.length() == 0) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            if (!text.isEmpty()) {
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
            }
        }
        return instructions;
    }

    static List<String> all(String keyword) {
        return instructions().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    static String last(String keyword) {
        List<String> found = all(keyword);
        assertFalse(found.isEmpty(), "the Dockerfile has " + keyword);
        return found.get(found.size() - 1);
    }

    static List<Copy> copies() {
        List<Copy> copies = new ArrayList<>();
        for (String arguments : all("COPY")) {
            List<String> words = new ArrayList<>(List.of(arguments.split("\\s+")));
            words.removeIf(w -> w.startsWith("--"));
            assertTrue(words.size() >= 2, "COPY " + arguments);
            copies.add(new Copy(words.subList(0, words.size() - 1), words.get(words.size() - 1)));
        }
        assertFalse(copies.isEmpty());
        return copies;
    }

    /** ENV KEY="value" ... pairs, in order. */
    static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|'([^']*)'|(\\S*))");
        for (String arguments : all("ENV")) {
            Matcher m = pair.matcher(arguments);
            while (m.find()) {
                env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : m.group(5));
            }
        }
        return env;
    }

    static List<String> entryPoint() throws IOException {
        return List.of(JSON.readValue(last("ENTRYPOINT"), String[].class));
    }

    @Test
    void theImageRunsAsANumericNonRootUserAndExposesTheApiAndManagementPorts() throws IOException {
        assertTrue(last("FROM").contains("openjdk-17"), "a Java 17 runtime");
        String user = last("USER");
        assertTrue(user.matches("[1-9][0-9]*"), "a numeric non-root user (Kubernetes can verify runAsNonRoot): " + user);
        Set<String> exposed = new TreeSet<>();
        all("EXPOSE").forEach(e -> exposed.addAll(List.of(e.split("\\s+"))));
        assertEquals(Set.of("8080", "9000"), exposed);
        for (String name : environment().keySet()) {
            assertFalse(Deployables.secretName(name), "no secret in the image: " + name);
        }
        assertTrue(entryPoint().get(0).startsWith("/"), "an exec-form entry point");
        for (String arguments : all("COPY")) {
            assertTrue(arguments.contains("--chown=" + user), "files belong to the service's user: " + arguments);
        }
    }

    @Test
    void everyCopiedFileIsBuiltOrCommittedAndEverythingTheBuildProducedIsCopied() throws IOException {
        assertTrue(Files.isRegularFile(APP.resolve("quarkus-run.jar")), "the build ran: " + APP);
        List<String> ignore = List.of(Deployables.read(ROOT.resolve(".dockerignore")).split("\n"));
        List<Path> copied = new ArrayList<>();
        for (Copy copy : copies()) {
            for (String source : copy.sources()) {
                List<Path> matches = glob(source);
                assertFalse(matches.isEmpty(), "COPY source " + source + " exists in the build context");
                copied.addAll(matches);
                assertTrue(sentToTheBuild(source, ignore), ".dockerignore lets " + source + " into the build context");
            }
        }
        List<String> missing = new ArrayList<>();
        try (Stream<Path> entries = Files.list(APP)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                boolean buildListing = entry.getFileName().toString().endsWith(".txt");
                if (!buildListing && copied.stream().noneMatch(c -> c.equals(entry))) {
                    missing.add(entry.getFileName().toString());
                }
            }
        }
        assertEquals(List.of(), missing, "every part of " + APP + " that runs is copied into the image");
    }

    /** Files of the build context a COPY source names (a trailing slash or a glob allowed). */
    static List<Path> glob(String source) throws IOException {
        String clean = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        if (!clean.contains("*") && !clean.contains("?")) {
            Path path = ROOT.resolve(clean);
            return Files.exists(path) ? List.of(path) : List.of();
        }
        Path parent = ROOT.resolve(clean.substring(0, clean.lastIndexOf('/')));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + ROOT.resolve(clean));
        try (Stream<Path> entries = Files.list(parent)) {
            return entries.filter(matcher::matches).toList();
        }
    }

    /** Whether .dockerignore (the "*, then !exceptions" form) sends {@code source} to the build. */
    static boolean sentToTheBuild(String source, List<String> ignore) {
        boolean sent = true;
        String clean = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        for (String rule : ignore) {
            rule = rule.strip();
            if (rule.isEmpty() || rule.startsWith("#")) {
                continue;
            }
            boolean exception = rule.startsWith("!");
            String pattern = exception ? rule.substring(1) : rule;
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            Path path = Path.of(clean);
            boolean matches = false;
            for (Path p = path; p != null; p = p.getParent()) {
                matches |= matcher.matches(p);
            }
            if (matches) {
                sent = exception;
            }
        }
        return sent;
    }

    @Test
    void theEntryPointStartsTheServiceFromTheImageLayoutAndAnswersEveryProbe() throws Exception {
        Path layout = ROOT.resolve("target/image-it/root");
        deleteTree(layout.getParent());
        for (Copy copy : copies()) {
            for (String source : copy.sources()) {
                for (Path from : glob(source)) {
                    Path to = layout.resolve(copy.destination().substring(1));
                    if (copy.destination().endsWith("/") && !Files.isDirectory(from)) {
                        to = to.resolve(from.getFileName().toString());
                    }
                    copyTree(from, to);
                }
            }
        }
        List<String> entry = entryPoint();
        Path script = layout.resolve(entry.get(0).substring(1));
        assertTrue(Files.isExecutable(script), entry.get(0) + " is copied into the image and executable");
        Path workdir = layout.resolve(last("WORKDIR").substring(1));

        TestDatabase.Location db = TestDatabase.fresh("rollout_it_image_"
                + Integer.toHexString(ROOT.toString().hashCode()));
        int httpPort = AppProcess.freePort();
        int managementPort = AppProcess.freePort();
        Map<String, String> imageEnv = environment();
        String javaOpts = imageEnv.get("JAVA_OPTS").replace("-Djava.io.tmpdir=/tmp",
                "-Djava.io.tmpdir=" + Files.createDirectories(layout.resolve("tmp")))
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m";
        String javaOptsAppend = "-Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=" + httpPort
                + " -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=" + managementPort;

        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(entry.subList(1, entry.size()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workdir.toFile()).redirectErrorStream(true);
        Path log = ROOT.resolve("target/it-logs/container-image.log");
        Files.createDirectories(log.getParent());
        builder.redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("ROLLOUT_") || k.startsWith("QUARKUS_") || k.startsWith("JAVA_"));
        env.putAll(imageEnv);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS", javaOpts);
        env.put("JAVA_OPTS_APPEND", javaOptsAppend);
        env.putAll(AppProcess.databaseEnv(db.jdbcUrl(), db.user(), db.password()));

        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int ready = -1;
            while (ready != 200) {
                assertTrue(process.isAlive(), () -> "the service exited:\n" + Deployables.read(log));
                assertTrue(System.nanoTime() < deadline, () -> "not ready within 120 s:\n" + Deployables.read(log));
                try {
                    ready = get(http, httpPort, "/q/health/ready").statusCode();
                } catch (IOException e) {
                    Thread.sleep(300);
                }
            }

            // exec: the JVM is the entry point's own process, started with both option variables in order.
            List<String> arguments = List.of(process.info().arguments().orElse(new String[0]));
            assertTrue(process.info().command().orElse("").endsWith("java"), "the entry point execs java: "
                    + process.info().command());
            List<String> expected = new ArrayList<>(List.of(javaOpts.split(" ")));
            expected.addAll(List.of(javaOptsAppend.split(" ")));
            expected.addAll(List.of("-jar", workdir.resolve("quarkus-run.jar").toString()));
            assertEquals(expected, arguments.subList(0, Math.min(arguments.size(), expected.size())),
                    "JAVA_OPTS, then JAVA_OPTS_APPEND, then the packaged jar");

            Map<String, Integer> ports = Map.of("http", httpPort, "management", managementPort);
            Map<String, Object> container = Yaml.map(Yaml.listAt(Yaml.documents(ROOT.resolve(
                    "deploy/kubernetes/deployment.yaml")).get(0), "spec", "template", "spec", "containers").get(0));
            int probes = 0;
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                String path = Yaml.string(container, probe, "httpGet", "path");
                if (path == null) {
                    continue;
                }
                Integer port = ports.get(Yaml.string(container, probe, "httpGet", "port"));
                assertNotNull(port, probe + " names a port the service listens on");
                HttpResponse<String> answer = get(http, port, path);
                assertEquals(200, answer.statusCode(), probe + " " + path + ": " + answer.body());
                assertTrue(answer.body().contains("\"status\": \"UP\"") || answer.body().contains("\"status\":\"UP\""),
                        probe + " " + path + " says UP: " + answer.body());
                probes++;
            }
            assertTrue(probes >= 2, "the Deployment's probes were tried");
            assertEquals(404, get(http, httpPort, "/q/health/nonexistent").statusCode(), "a wrong probe path would fail");

            // The ServiceMonitor scrapes the management port once the build enables the management interface.
            boolean management = Deployables.read(ROOT.resolve("src/main/resources/application.properties"))
                    .lines().anyMatch(l -> l.strip().equals("quarkus.management.enabled=true"));
            int metricsPort = management ? managementPort : httpPort;
            assertEquals(200, get(http, metricsPort, "/q/metrics").statusCode());
            // The watch's gauges appear with its first tick, up to one evaluation interval after start-up.
            org.awaitility.Awaitility.await("the controller's metrics").atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> get(http, metricsPort, "/q/metrics").body().contains("rollout_watch_members"));
        } finally {
            process.destroy();
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            assertTrue(exited, "SIGTERM reaches the JVM and it stops");
        }
        assertTrue(Deployables.read(log).contains("stopped in"), "an orderly shutdown:\n" + Deployables.read(log));
        deleteTree(layout.getParent());
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }
}
