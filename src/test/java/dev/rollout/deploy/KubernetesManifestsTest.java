package dev.rollout.deploy;

import static dev.rollout.deploy.Deployables.KUBERNETES;
import static dev.rollout.deploy.Yaml.at;
import static dev.rollout.deploy.Yaml.listAt;
import static dev.rollout.deploy.Yaml.mapAt;
import static dev.rollout.deploy.Yaml.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The kustomize base under deploy/kubernetes is complete and says what the service needs: every listed
 * resource exists and parses, the Deployment is highly available with probes on the health paths, runs
 * non-root on a read-only root filesystem, sets only variables the service reads and takes every secret
 * from a documented Secret; Services, ServiceMonitor and PodDisruptionBudget select what they should; the
 * PrometheusRule carries exactly the shipped rules; the CloudNativePG cluster splits owner and runtime roles
 * with the same Secrets the controller uses.
 */
class KubernetesManifestsTest {

    static final Path KUSTOMIZATION = KUBERNETES.resolve("kustomization.yaml");
    static final Path SECRETS_DOC = KUBERNETES.resolve("README.md");

    /** Every resource of the base, by kind (one of each kind except Service). */
    static Map<String, List<Map<String, Object>>> resources() {
        Map<String, List<Map<String, Object>>> byKind = new LinkedHashMap<>();
        for (Object resource : listAt(Yaml.document(KUSTOMIZATION), "resources")) {
            for (Map<String, Object> document : Yaml.documents(KUBERNETES.resolve(String.valueOf(resource)))) {
                assertNotNull(document.get("apiVersion"), resource + " has an apiVersion");
                assertNotNull(string(document, "metadata", "name"), resource + " has a name");
                byKind.computeIfAbsent(String.valueOf(document.get("kind")), k -> new ArrayList<>()).add(document);
            }
        }
        return byKind;
    }

    static Map<String, Object> one(String kind) {
        List<Map<String, Object>> all = resources().getOrDefault(kind, List.of());
        assertEquals(1, all.size(), "one " + kind + " in the base");
        return all.get(0);
    }

    static Map<String, Object> deployment() {
        return one("Deployment");
    }

    static Map<String, Object> container() {
        List<Object> containers = listAt(deployment(), "spec", "template", "spec", "containers");
        assertEquals(1, containers.size(), "one container");
        return Yaml.map(containers.get(0));
    }

    /** Container port numbers by name. */
    static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object port : listAt(container(), "ports")) {
            ports.put(string(port, "name"), (Integer) at(port, "containerPort"));
        }
        return ports;
    }

    static List<Map<String, Object>> env() {
        List<Map<String, Object>> env = new ArrayList<>();
        listAt(container(), "env").forEach(e -> env.add(Yaml.map(e)));
        assertNull(at(container(), "envFrom"), "every variable is named in the Deployment (no envFrom)");
        return env;
    }

    @Test
    void theKustomizationListsEveryManifestAndEachParses() throws IOException {
        Map<String, Object> kustomization = Yaml.document(KUSTOMIZATION);
        assertEquals("Kustomization", kustomization.get("kind"));
        Set<String> listed = new TreeSet<>();
        for (Object resource : listAt(kustomization, "resources")) {
            Path file = KUBERNETES.resolve(String.valueOf(resource));
            assertTrue(Files.isRegularFile(file), "listed resource " + file + " exists");
            assertFalse(Yaml.documents(file).isEmpty(), file + " holds a manifest");
            listed.add(String.valueOf(resource));
        }
        Set<String> manifests = new TreeSet<>();
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                    .filter(f -> !f.equals("kustomization.yaml")).forEach(manifests::add);
        }
        assertEquals(manifests, listed, "every manifest in " + KUBERNETES + " is a resource of the base");
        Map<String, List<Map<String, Object>>> kinds = resources();
        for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule",
                "Cluster", "ServiceAccount")) {
            assertTrue(kinds.containsKey(kind), "the base has a " + kind);
        }
        assertFalse(kinds.containsKey("Secret"), "no Secret in the base: secrets are created from a secret store");
        assertEquals("postgresql.cnpg.io/v1", one("Cluster").get("apiVersion"));
        assertEquals("monitoring.coreos.com/v1", one("ServiceMonitor").get("apiVersion"));
    }

    @Test
    void theDeploymentRunsTwoReplicasAndRollsWithoutGoingDown() {
        Map<String, Object> deployment = deployment();
        assertTrue((Integer) at(deployment, "spec", "replicas") >= 2, "at least two replicas");
        assertEquals("RollingUpdate", string(deployment, "spec", "strategy", "type"));
        assertEquals("0", string(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"),
                "a rolling upgrade starts a new replica before stopping an old one");
        Map<String, Object> selector = mapAt(deployment, "spec", "selector", "matchLabels");
        Map<String, Object> podLabels = mapAt(deployment, "spec", "template", "metadata", "labels");
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "the selector matches the pods");

        Map<String, Object> pdb = one("PodDisruptionBudget");
        assertEquals(selector, mapAt(pdb, "spec", "selector", "matchLabels"), "the budget covers the controller's pods");
        Object minAvailable = at(pdb, "spec", "minAvailable");
        assertTrue(minAvailable instanceof Integer m && m >= 1 && m < (Integer) at(deployment, "spec", "replicas"),
                "the budget keeps a replica and still lets a node drain: minAvailable " + minAvailable);
    }

    @Test
    void probesAreOnTheHealthPathsOfTheApiPortAndMetricsOnTheManagementPort() {
        Map<String, Integer> ports = containerPorts();
        assertEquals(8080, ports.get("http"), "the API port (QUARKUS_HTTP_PORT's default)");
        assertEquals(9000, ports.get("management"), "the management port (QUARKUS_MANAGEMENT_PORT's default)");
        Map<String, Object> container = container();
        assertEquals("/q/health/ready", string(container, "readinessProbe", "httpGet", "path"));
        assertEquals("http", string(container, "readinessProbe", "httpGet", "port"));
        assertEquals("/q/health/live", string(container, "livenessProbe", "httpGet", "path"));
        assertEquals("http", string(container, "livenessProbe", "httpGet", "port"));
        if (at(container, "startupProbe") != null) {
            assertTrue(string(container, "startupProbe", "httpGet", "path").startsWith("/q/health/"));
            assertEquals("http", string(container, "startupProbe", "httpGet", "port"));
        }
        for (Map<String, Object> variable : env()) {
            assertFalse(List.of("QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_PORT").contains(variable.get("name")),
                    "the ports are the defaults the probes, Services and ServiceMonitor name");
        }
    }

    @Test
    void theContainerRunsAsNonRootOnAReadOnlyRootFilesystem() {
        Map<String, Object> pod = mapAt(deployment(), "spec", "template", "spec");
        assertEquals(Boolean.TRUE, at(pod, "securityContext", "runAsNonRoot"));
        Object uid = at(pod, "securityContext", "runAsUser");
        assertTrue(uid instanceof Integer u && u > 0, "a numeric non-root user");
        assertTrue(Deployables.read(Deployables.DOCKERFILE).contains("\nUSER " + uid + "\n"),
                "the same user as the image's USER");
        assertEquals(Boolean.FALSE, at(pod, "automountServiceAccountToken"), "no Kubernetes API credential in the pod");
        Map<String, Object> container = container();
        assertEquals(Boolean.TRUE, at(container, "securityContext", "readOnlyRootFilesystem"));
        assertEquals(Boolean.FALSE, at(container, "securityContext", "allowPrivilegeEscalation"));
        assertEquals(List.of("ALL"), at(container, "securityContext", "capabilities", "drop"));
        // The JVM needs one writable directory, /tmp (java.io.tmpdir in the image).
        String tmpVolume = null;
        for (Object mount : listAt(container, "volumeMounts")) {
            if ("/tmp".equals(string(mount, "mountPath"))) {
                tmpVolume = string(mount, "name");
                assertNotEquals(Boolean.TRUE, at(mount, "readOnly"));
            }
        }
        assertNotNull(tmpVolume, "/tmp is a writable mount");
        boolean emptyDir = false;
        for (Object volume : listAt(pod, "volumes")) {
            emptyDir |= tmpVolume.equals(string(volume, "name")) && at(volume, "emptyDir") != null;
        }
        assertTrue(emptyDir, "/tmp is an emptyDir");
        assertTrue(Deployables.read(Deployables.DOCKERFILE).contains("-Djava.io.tmpdir=/tmp"),
                "the image keeps temporary files in /tmp");
    }

    @Test
    void resourcesAreSetAndMatchTheSizingInTheOperationsGuide() {
        Map<String, Object> resources = mapAt(container(), "resources");
        String operations = Deployables.read(Deployables.OPERATIONS);
        for (String bound : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                String value = string(resources, bound, resource);
                assertNotNull(value, bound + "." + resource + " is set");
                assertTrue(operations.contains("`" + value + "`"),
                        "docs/operations.md gives the " + bound + " " + resource + " figure " + value);
            }
        }
        assertTrue(mebibytes(string(resources, "requests", "memory")) <= mebibytes(string(resources, "limits", "memory")));
        // docs/performance.md: 10,000 active rollouts reached ~730 MiB resident with a 512 MiB heap.
        assertTrue(mebibytes(string(resources, "limits", "memory")) >= 1024, "room for the measured resident memory");
        // The heap is the image's share of the limit (no JAVA_OPTS here): at least the 512 MiB measured with.
        assertTrue(env().stream().noneMatch(v -> "JAVA_OPTS".equals(v.get("name"))), "the image's heap setting applies");
        Matcher share = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(Deployables.read(Deployables.DOCKERFILE));
        assertTrue(share.find(), "the image sizes the heap from the memory limit");
        double heap = mebibytes(string(resources, "limits", "memory")) * Double.parseDouble(share.group(1)) / 100;
        assertTrue(heap >= 512, "a heap of at least 512 MiB, not " + heap);
    }

    static long mebibytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertTrue(m.matches(), "a quantity in Mi or Gi: " + quantity);
        return Long.parseLong(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
    }

    @Test
    void everyVariableIsOneTheServiceReadsAndNoSecretIsInlined() {
        Set<String> seen = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> variable : env()) {
            String name = String.valueOf(variable.get("name"));
            assertTrue(seen.add(name), name + " is set once");
            String unread = Deployables.unread(name);
            if (unread != null) {
                problems.add(unread);
            }
            if (Deployables.secretName(name)) {
                if (variable.containsKey("value")) {
                    problems.add(name + " has a literal value; a secret comes from a secretKeyRef");
                } else if (at(variable, "valueFrom", "secretKeyRef") == null) {
                    problems.add(name + " does not come from a Secret");
                }
            }
        }
        assertEquals(List.of(), problems);
        for (String required : List.of("ROLLOUT_DB_URL", "ROLLOUT_DB_USER", "ROLLOUT_DB_PASSWORD",
                "ROLLOUT_BOOTSTRAP_ADMIN_TOKEN", "ROLLOUT_GRAFANA_TOKEN")) {
            assertTrue(seen.contains(required), "the Deployment sets " + required);
        }
    }

    @Test
    void everySecretReferenceNamesADocumentedSecretAndKey() {
        String doc = Deployables.read(SECRETS_DOC);
        Map<String, Set<String>> referenced = new LinkedHashMap<>();
        for (Map<String, Object> variable : env()) {
            Object ref = at(variable, "valueFrom", "secretKeyRef");
            if (ref != null) {
                referenced.computeIfAbsent(string(ref, "name"), k -> new TreeSet<>()).add(string(ref, "key"));
            }
        }
        Map<String, Object> cluster = one("Cluster");
        referenced.computeIfAbsent(string(cluster, "spec", "bootstrap", "initdb", "secret", "name"), k -> new TreeSet<>())
                .addAll(List.of("username", "password"));
        for (Object role : listAt(cluster, "spec", "managed", "roles")) {
            referenced.computeIfAbsent(string(role, "passwordSecret", "name"), k -> new TreeSet<>())
                    .addAll(List.of("username", "password"));
        }
        assertTrue(referenced.size() >= 4, "database, bootstrap and Grafana secrets are referenced: " + referenced);
        for (Map.Entry<String, Set<String>> secret : referenced.entrySet()) {
            String name = secret.getKey();
            Matcher row = Pattern.compile("(?m)^\\| `" + Pattern.quote(name) + "` \\| ([^|]*) \\|").matcher(doc);
            assertTrue(row.find(), SECRETS_DOC + " has a row for Secret " + name);
            for (String key : secret.getValue()) {
                assertTrue(row.group(1).contains("`" + key + "`"), "Secret " + name + ": key " + key + " documented");
                assertTrue(Pattern.compile("kubectl create secret generic " + Pattern.quote(name) + " [^\\n]*(\\\\\\n[^\\n]*)*"
                        + "--from-literal=" + Pattern.quote(key) + "=").matcher(doc).find(),
                        "the kubectl command for " + name + " sets " + key);
            }
        }
    }

    @Test
    void theDatabaseClusterSplitsOwnerAndRuntimeRolesWithTheControllersSecrets() {
        Map<String, Object> cluster = one("Cluster");
        Map<String, String> fromSecret = new LinkedHashMap<>();
        String url = null;
        for (Map<String, Object> variable : env()) {
            Object ref = at(variable, "valueFrom", "secretKeyRef");
            if (ref != null) {
                fromSecret.put(String.valueOf(variable.get("name")), string(ref, "name"));
            }
            if ("ROLLOUT_DB_URL".equals(variable.get("name"))) {
                url = String.valueOf(variable.get("value"));
            }
        }
        String name = string(cluster, "metadata", "name");
        String database = string(cluster, "spec", "bootstrap", "initdb", "database");
        assertNotNull(url);
        assertTrue(url.startsWith("jdbc:postgresql://" + name + "-rw:5432/" + database),
                "the controller connects to the cluster's read-write service and database: " + url);
        String owner = string(cluster, "spec", "bootstrap", "initdb", "owner");
        String ownerSecret = string(cluster, "spec", "bootstrap", "initdb", "secret", "name");
        assertEquals(ownerSecret, fromSecret.get("ROLLOUT_DB_OWNER_PASSWORD"), "migrations run as the database owner");
        assertEquals(ownerSecret, fromSecret.get("ROLLOUT_DB_OWNER_USER"));
        List<Object> roles = listAt(cluster, "spec", "managed", "roles");
        assertEquals(1, roles.size(), "one managed role: the runtime role");
        Object runtime = roles.get(0);
        assertNotEquals(owner, string(runtime, "name"), "the service does not run as the owner");
        assertEquals(Boolean.TRUE, at(runtime, "login"));
        for (String power : List.of("superuser", "createdb", "createrole")) {
            assertNotEquals(Boolean.TRUE, at(runtime, power), "the runtime role has no " + power);
        }
        assertEquals(string(runtime, "passwordSecret", "name"), fromSecret.get("ROLLOUT_DB_PASSWORD"));
        assertEquals(string(runtime, "passwordSecret", "name"), fromSecret.get("ROLLOUT_DB_USER"));
        // CloudNativePG wants the Secret's username to be the role name.
        String doc = Deployables.read(SECRETS_DOC);
        assertTrue(doc.contains("generic " + ownerSecret + " --type=kubernetes.io/basic-auth \\\n  --from-literal=username="
                + owner + " "), "the owner Secret's username is " + owner);
        assertTrue(doc.contains("generic " + fromSecret.get("ROLLOUT_DB_PASSWORD")
                + " --type=kubernetes.io/basic-auth \\\n  --from-literal=username=" + string(runtime, "name") + " "),
                "the runtime Secret's username is " + string(runtime, "name"));
    }

    @Test
    void servicesAndTheServiceMonitorReachTheRightPorts() {
        Map<String, Object> pods = mapAt(deployment(), "spec", "template", "metadata", "labels");
        Map<String, Integer> ports = containerPorts();
        Map<String, Map<String, Object>> servicesByPortName = new LinkedHashMap<>();
        for (Map<String, Object> service : resources().get("Service")) {
            assertTrue(pods.entrySet().containsAll(mapAt(service, "spec", "selector").entrySet()),
                    string(service, "metadata", "name") + " selects the controller's pods");
            for (Object port : listAt(service, "spec", "ports")) {
                assertTrue(ports.containsKey(string(port, "targetPort")), "target port " + string(port, "targetPort")
                        + " is a container port");
                assertEquals(ports.get(string(port, "targetPort")), at(port, "port"));
                servicesByPortName.put(string(port, "name"), service);
            }
        }
        assertTrue(servicesByPortName.containsKey("http"), "a Service for the API");
        Map<String, Object> monitor = one("ServiceMonitor");
        List<Object> endpoints = listAt(monitor, "spec", "endpoints");
        assertEquals(1, endpoints.size());
        assertEquals("management", string(endpoints.get(0), "port"), "scrapes the management port");
        assertEquals("/q/metrics", string(endpoints.get(0), "path"));
        Map<String, Object> metricsService = servicesByPortName.get("management");
        assertNotNull(metricsService, "a Service exposes the management port");
        assertTrue(mapAt(metricsService, "metadata", "labels").entrySet()
                .containsAll(mapAt(monitor, "spec", "selector", "matchLabels").entrySet()),
                "the ServiceMonitor selects the management Service");
        assertFalse(listAt(servicesByPortName.get("http"), "spec", "ports").stream()
                .anyMatch(p -> "management".equals(string(p, "targetPort"))),
                "the API Service (the one exposed) does not carry the management port");
    }

    @Test
    void thePrometheusRuleCarriesExactlyTheShippedRules() {
        Object shipped = at(Yaml.document(Deployables.RULES), "groups");
        Object carried = at(one("PrometheusRule"), "spec", "groups");
        assertEquals(shipped, carried, "prometheusrule.yaml differs from " + Deployables.RULES
                + ": run deploy/kubernetes/sync-prometheus-rule");
    }
}
