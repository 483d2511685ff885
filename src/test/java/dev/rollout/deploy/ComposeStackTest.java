package dev.rollout.deploy;

import static dev.rollout.deploy.Deployables.COMPOSE;
import static dev.rollout.deploy.Yaml.at;
import static dev.rollout.deploy.Yaml.listAt;
import static dev.rollout.deploy.Yaml.mapAt;
import static dev.rollout.deploy.Yaml.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml, the local stack, fits together: every mounted file exists, Prometheus (checked by
 * promtool with the files laid out as mounted) scrapes both controller replicas on the management port and
 * loads the shipped rules, Alertmanager's configuration passes amtool, Grafana gets the shipped provisioning
 * and every variable it expands, the controllers set only variables the service reads, and no secret is
 * written in, except the obviously local development fallbacks ("local-dev-only-...").
 */
class ComposeStackTest {

    static final Path DEPLOY = COMPOSE.getParent();
    static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?}");

    static Map<String, Object> compose() {
        return Yaml.document(COMPOSE);
    }

    static Map<String, Object> services() {
        return mapAt(compose(), "services");
    }

    static Map<String, Object> service(String name) {
        return mapAt(services(), name);
    }

    static Map<String, String> environment(Object service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object declared = at(service, "environment");
        if (declared instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (declared != null) {
            throw new AssertionError("environment as a mapping, not " + declared);
        }
        return env;
    }

    /** The controller replicas: services built from the image's Dockerfile. */
    static List<String> controllers() {
        List<String> controllers = new ArrayList<>();
        for (Map.Entry<String, Object> service : services().entrySet()) {
            if (at(service.getValue(), "build") != null) {
                controllers.add(service.getKey());
            }
        }
        return controllers;
    }

    /** Bind mounts of a service: host path (resolved against deploy/) to container path. */
    static Map<Path, String> bindMounts(Object service) {
        Map<Path, String> mounts = new LinkedHashMap<>();
        for (Object volume : listAt(service, "volumes")) {
            String[] parts = String.valueOf(volume).split(":");
            if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
                mounts.put(DEPLOY.resolve(parts[0]).normalize(), parts[1]);
            }
        }
        return mounts;
    }

    @Test
    void theStackHasEveryPartAndTwoControllersBuiltFromTheImage() {
        Set<String> names = services().keySet();
        for (String part : List.of("postgres", "prometheus", "alertmanager", "grafana")) {
            assertTrue(names.contains(part), "the stack runs " + part);
        }
        List<String> controllers = controllers();
        assertEquals(2, controllers.size(), "two controller replicas: " + controllers);
        for (String controller : controllers) {
            Object build = at(service(controller), "build");
            Path context = DEPLOY.resolve(string(build, "context")).normalize();
            assertEquals(Path.of("").toAbsolutePath(), context.toAbsolutePath().normalize(), "built from the repository root");
            assertEquals(Deployables.DOCKERFILE, Path.of(string(build, "dockerfile")), "built from the shipped Dockerfile");
            assertEquals("service_healthy", string(service(controller), "depends_on", "postgres", "condition"),
                    "starts once PostgreSQL is ready");
            assertEquals(Boolean.TRUE, at(service(controller), "read_only"), "read-only root filesystem as in Kubernetes");
            assertTrue(listAt(service(controller), "tmpfs").contains("/tmp"), "with a writable /tmp");
        }
        Set<String> ids = new LinkedHashSet<>();
        controllers.forEach(c -> ids.add(environment(service(c)).get("ROLLOUT_CONTROLLER_INSTANCE_ID")));
        assertEquals(controllers.size(), ids.size(), "each replica names itself differently in the history");
    }

    @Test
    void everyMountedFileExists() {
        int mounts = 0;
        for (Map.Entry<String, Object> service : services().entrySet()) {
            for (Path source : bindMounts(service.getValue()).keySet()) {
                assertTrue(Files.exists(source), service.getKey() + " mounts " + source + ", which exists");
                mounts++;
            }
        }
        assertTrue(mounts >= 7, "the stack mounts the shipped configuration");
    }

    @Test
    void everyPortListensOnLoopbackOnlyAndControllersServeTheApiPort() {
        for (Map.Entry<String, Object> service : services().entrySet()) {
            for (Object port : listAt(service.getValue(), "ports")) {
                assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), service.getKey() + " publishes " + port
                        + " on loopback only");
            }
        }
        for (String controller : controllers()) {
            List<Object> ports = listAt(service(controller), "ports");
            assertEquals(1, ports.size());
            assertTrue(String.valueOf(ports.get(0)).endsWith(":8080"), "the API port is published: " + ports);
        }
    }

    @Test
    void controllersSetOnlyVariablesTheServiceReads() {
        List<String> problems = new ArrayList<>();
        for (String controller : controllers()) {
            Map<String, String> env = environment(service(controller));
            for (String name : env.keySet()) {
                String unread = Deployables.unread(name);
                if (unread != null) {
                    problems.add(controller + ": " + unread);
                }
            }
            String url = env.get("ROLLOUT_DB_URL");
            assertTrue(url.startsWith("jdbc:postgresql://postgres:5432/"), "the stack's database: " + url);
            assertEquals("http://prometheus:9090", env.get("ROLLOUT_PROMETHEUS_URL"));
            assertEquals("http://alertmanager:9093", env.get("ROLLOUT_ALERTMANAGER_URL"));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void noSecretIsWrittenInExceptObviouslyLocalFallbacks() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> service : services().entrySet()) {
            for (Map.Entry<String, String> variable : environment(service.getValue()).entrySet()) {
                if (!Deployables.secretName(variable.getKey())) {
                    continue;
                }
                Matcher m = INTERPOLATION.matcher(variable.getValue() == null ? "" : variable.getValue());
                if (!m.matches()) {
                    problems.add(service.getKey() + " " + variable.getKey() + " is not taken from the environment");
                } else if (m.group(2) != null && !m.group(2).isEmpty() && !m.group(2).startsWith("local-dev-only-")) {
                    problems.add(service.getKey() + " " + variable.getKey() + " falls back to a value that does not say "
                            + "it is for local use");
                }
            }
        }
        assertEquals(List.of(), problems);
        String guide = Deployables.read(Deployables.OPERATIONS);
        assertTrue(guide.contains("local-dev-only-"), "docs/operations.md explains the local fallbacks");
    }

    @Test
    void theDatabaseRolesAreTheOnesTheControllersAndGrafanaUse() {
        Map<String, String> postgres = environment(service("postgres"));
        String init = null;
        for (Map.Entry<Path, String> mount : bindMounts(service("postgres")).entrySet()) {
            if (mount.getValue().startsWith("/docker-entrypoint-initdb.d/")) {
                init = Deployables.read(mount.getKey());
                assertTrue(Files.isExecutable(mount.getKey()) || mount.getKey().toString().endsWith(".sql"),
                        mount.getKey() + " can be run by the image");
            }
        }
        assertNotNull(init, "PostgreSQL gets an init script");
        Matcher used = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)").matcher(init);
        while (used.find()) {
            assertTrue(postgres.containsKey(used.group(1)), "the init script's " + used.group(1) + " is set");
        }
        for (String controller : controllers()) {
            Map<String, String> env = environment(service(controller));
            for (String[] pair : new String[][] {{"ROLLOUT_DB_USER", "ROLLOUT_DB_PASSWORD"},
                    {"ROLLOUT_DB_OWNER_USER", "ROLLOUT_DB_OWNER_PASSWORD"}}) {
                String role = env.get(pair[0]);
                assertTrue(init.contains("CREATE ROLE " + role + " LOGIN PASSWORD"), "the init script creates " + role);
                assertEquals(postgres.get(pair[1]), env.get(pair[1]), pair[1] + ": the same password on both sides");
            }
            String database = env.get("ROLLOUT_DB_URL").replaceAll(".*/([a-z_]+)(\\?.*)?$", "$1");
            assertTrue(init.contains("CREATE DATABASE " + database + " OWNER " + env.get("ROLLOUT_DB_OWNER_USER")),
                    "the database belongs to the owner role");
        }
        Map<String, String> grafana = environment(service("grafana"));
        assertTrue(init.contains("CREATE ROLE " + grafana.get("ROLLOUT_DB_GRAFANA_USER") + " LOGIN PASSWORD"));
        assertEquals(postgres.get("ROLLOUT_DB_GRAFANA_PASSWORD"), grafana.get("ROLLOUT_DB_GRAFANA_PASSWORD"));
    }

    @Test
    void prometheusScrapesBothReplicasOnTheManagementPortWithTheShippedRules(@TempDir Path root) throws Exception {
        Map<String, Object> prometheus = service("prometheus");
        Map<Path, String> mounts = bindMounts(prometheus);
        assertTrue(mounts.containsKey(Deployables.RULES.toAbsolutePath().normalize())
                || mounts.containsKey(DEPLOY.resolve("prometheus/rollout-controller-rules.yml").normalize()),
                "the shipped rule file is mounted");
        layOut(mounts, root);
        String configPath = null;
        for (Object argument : listAt(prometheus, "command")) {
            if (String.valueOf(argument).startsWith("--config.file=")) {
                configPath = String.valueOf(argument).substring("--config.file=".length());
            }
        }
        assertNotNull(configPath, "Prometheus is told its configuration file");
        Path config = root.resolve(configPath.substring(1));
        assertTrue(Files.isRegularFile(config), "the configuration file is mounted where Prometheus reads it");
        run("promtool", "check", "config", config.toString());

        Map<String, Object> parsed = Yaml.document(config);
        List<Object> ruleFiles = listAt(parsed, "rule_files");
        assertEquals(1, ruleFiles.size());
        Path rules = config.getParent().resolve(String.valueOf(ruleFiles.get(0)));
        assertEquals(Deployables.read(Deployables.RULES), Deployables.read(rules), "Prometheus loads the shipped rules");

        Set<String> targets = new LinkedHashSet<>();
        for (Object job : listAt(parsed, "scrape_configs")) {
            if (!"/q/metrics".equals(string(job, "metrics_path"))) {
                continue;
            }
            for (Object staticConfig : listAt(job, "static_configs")) {
                listAt(staticConfig, "targets").forEach(t -> targets.add(String.valueOf(t)));
            }
        }
        Set<String> expected = new LinkedHashSet<>();
        controllers().forEach(c -> expected.add(c + ":9000"));
        assertEquals(expected, targets, "every replica is scraped on /q/metrics of the management port");
        assertEquals(List.of("alertmanager:9093"),
                listAt(parsed, "alerting", "alertmanagers", 0, "static_configs", 0, "targets"), "alerts go to the stack's Alertmanager");
    }

    @Test
    void alertmanagerGetsAValidConfigurationWithAReceiver(@TempDir Path root) throws Exception {
        Map<String, Object> alertmanager = service("alertmanager");
        layOut(bindMounts(alertmanager), root);
        String configPath = listAt(alertmanager, "command").stream().map(String::valueOf)
                .filter(a -> a.startsWith("--config.file=")).findFirst().orElseThrow().substring("--config.file=".length());
        Path config = root.resolve(configPath.substring(1));
        run("amtool", "check-config", config.toString());
        Map<String, Object> parsed = Yaml.document(config);
        assertFalse(listAt(parsed, "receivers").isEmpty(), "a receiver");
        // push detection: every alert also reaches each controller replica's webhook, with a token from a file
        String text = Deployables.read(config);
        for (String replica : List.of("controller-1", "controller-2")) {
            assertTrue(text.contains("url: http://" + replica + ":8080/api/v1/alertmanager/webhook"), replica);
        }
        assertTrue(text.contains("continue: true"), "the controller's route lets the others page people too");
        assertTrue(text.contains("credentials_file: /etc/alertmanager/secrets/"), "the token comes from a file");
    }

    @Test
    void grafanaGetsTheShippedProvisioningAndEveryVariableItExpands() {
        Map<String, Object> grafana = service("grafana");
        Map<Path, String> mounts = bindMounts(grafana);
        Path provisioning = Path.of("deploy/grafana/provisioning").toAbsolutePath().normalize();
        Path datasources = provisioning.resolve("datasources");
        Path dashboards = provisioning.resolve("dashboards");
        Map<Path, String> absolute = new LinkedHashMap<>();
        mounts.forEach((k, v) -> absolute.put(k.toAbsolutePath().normalize(), v));
        assertEquals("/etc/grafana/provisioning/datasources", absolute.get(datasources));
        assertEquals("/etc/grafana/provisioning/dashboards", absolute.get(dashboards));
        String providerPath = null;
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                providerPath = string(Yaml.document(file), "providers", 0, "options", "path");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(providerPath, absolute.get(Path.of("deploy/grafana/dashboards").toAbsolutePath().normalize()),
                "the dashboards are mounted where the provider looks");
        Map<String, String> env = environment(grafana);
        try (Stream<Path> files = Files.list(datasources)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String withoutComments = Deployables.read(file).replaceAll("(?m)^\\s*#.*$", "");
                Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}").matcher(withoutComments);
                while (m.find()) {
                    assertTrue(env.containsKey(m.group(1)), "Grafana's environment sets " + m.group(1) + " for " + file);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Copies each bind mount to where the container sees it, under {@code root}. */
    static void layOut(Map<Path, String> mounts, Path root) throws IOException {
        for (Map.Entry<Path, String> mount : mounts.entrySet()) {
            Path target = root.resolve(mount.getValue().substring(1));
            Files.createDirectories(target.getParent());
            if (Files.isDirectory(mount.getKey())) {
                try (Stream<Path> files = Files.walk(mount.getKey())) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path to = target.resolve(mount.getKey().relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(mount.getKey(), target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
    }
}
