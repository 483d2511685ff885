package dev.rollout.gate;

import dev.rollout.gate.StubServer.Request;
import dev.rollout.gate.StubServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateEvaluatorTest {

    private static final Instant NOW = Instant.parse("2025-10-20T21:32:57Z");
    private static final String TOKEN = "tok-9f8e7d6c5b4a";
    private static final String PASSWORD = "pw-0a1b2c3d";

    private final StubServer prometheus = new StubServer();
    private final StubServer alertmanager = new StubServer();

    @AfterEach
    void stop() {
        prometheus.close();
        alertmanager.close();
    }

    private GateEvaluator evaluator(MonitoringEndpoint prom, MonitoringEndpoint am) {
        return new GateEvaluator(MonitoringSources.of(prom, am), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private GateEvaluator evaluator() {
        return evaluator(MonitoringEndpoint.of(prometheus.url()).withBearerToken(TOKEN),
                MonitoringEndpoint.of(alertmanager.url()));
    }

    private static GateResult only(GateEvaluator evaluator, GateDefinition gate) {
        return evaluator.evaluate(List.of(gate)).get(0);
    }

    static String query(Request request) {
        return params(request).get("query");
    }

    static Map<String, String> params(Request request) {
        return Arrays.stream(request.uri().getRawQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8), (a, b) -> a + "|" + b));
    }

    static String vector(String... valueStrings) {
        return Arrays.stream(valueStrings)
                .map(v -> "{\"metric\":{\"job\":\"orch\"},\"value\":[1700000000,\"" + v + "\"]}")
                .collect(Collectors.joining(",",
                        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[", "]}}"));
    }

    @Test
    void evaluatesEveryKindAndSendsTheRightRequests() {
        prometheus.responder = r -> Response.ok(switch (query(r)) {
            case "up{job=\"orch\"}", "m_total" -> vector("1");
            case "absent_total" -> vector();
            case "sum(rate(errors[5m])) / sum(rate(requests[5m]))" -> vector("0.002");
            default -> vector("1", "1");
        });
        alertmanager.responder = r -> Response.ok("[{\"labels\":{\"alertname\":\"TestSuiteNotRunning\"},"
                + "\"status\":{\"state\":\"active\",\"silencedBy\":[],\"inhibitedBy\":[]}}]");

        List<GateResult> results = evaluator().evaluate(List.of(
                GateDefinition.targetUp("up", "up{job=\"orch\"}"),
                GateDefinition.metricsPresent("metrics", List.of("m_total", "absent_total")),
                GateDefinition.noFiringAlerts("alerts", List.of("severity=~\"warning|critical\"", "team=infra")),
                GateDefinition.queryThreshold("errors", "sum(rate(errors[5m])) / sum(rate(requests[5m]))", "< 0.01")));

        assertEquals(List.of("up", "metrics", "alerts", "errors"), results.stream().map(GateResult::name).toList());
        assertEquals(List.of(GateStatus.PASS, GateStatus.FAIL, GateStatus.FAIL, GateStatus.PASS),
                results.stream().map(GateResult::status).toList());
        assertFalse(new GateReport(results).passed());
        assertTrue(new GateReport(List.of(results.get(0), results.get(3))).passed());
        assertEquals("no data for absent_total", results.get(1).detail());
        assertEquals("1 firing alert matching severity=~\"warning|critical\", team=\"infra\": TestSuiteNotRunning",
                results.get(2).detail());
        assertEquals("sum(rate(errors[5m])) / sum(rate(requests[5m])) = 0.002, satisfies < 0.01", results.get(3).detail());
        for (GateResult result : results) {
            assertEquals(NOW, result.evaluatedAt());
            assertTrue(result.latency().compareTo(Duration.ZERO) > 0 && result.latency().toSeconds() < 5);
        }

        assertEquals(4, prometheus.requests.size());
        for (Request request : prometheus.requests) {
            assertEquals("/api/v1/query", request.uri().getPath());
            assertEquals("Bearer " + TOKEN, request.authorization());
        }
        Request alerts = alertmanager.requests.get(0);
        assertEquals("/api/v2/alerts", alerts.uri().getPath());
        assertEquals(Map.of("active", "true", "silenced", "false", "inhibited", "false",
                "filter", "severity=~\"warning|critical\"|team=\"infra\""), params(alerts));
        assertEquals(null, alerts.authorization());
    }

    @Test
    void aBatchSendsEachDistinctRequestOnceAndForgetsItAfterwards() {
        prometheus.responder = r -> Response.ok(vector("1"));
        alertmanager.responder = r -> Response.ok("[]");
        GateEvaluator evaluator = evaluator();
        List<GateDefinition> rolloutA = List.of(
                GateDefinition.targetUp("up", "up"),
                GateDefinition.metricsPresent("metrics", List.of("up", "m_total")),
                GateDefinition.noFiringAlerts("alerts", List.of("a=b", "c=~d")));
        List<GateDefinition> rolloutB = List.of(
                GateDefinition.targetUp("orchestrator", "up"),
                GateDefinition.noFiringAlerts("alerts", List.of("c=~\"d\"", "a=\"b\"")),
                GateDefinition.queryThreshold("one", "m_total", "== 1"));

        GateEvaluator.Batch batch = evaluator.newBatch();
        batch.evaluate(rolloutA);
        batch.evaluate(rolloutB);
        assertEquals(3, batch.requestsSent());
        assertEquals(2, prometheus.requests.size(), "up and m_total, once each");
        assertEquals(1, alertmanager.requests.size(), "the same matcher set in another order and spelling");

        evaluator.newBatch().evaluate(rolloutA);
        assertEquals(4, prometheus.requests.size(), "a new batch asks again");
        assertEquals(2, alertmanager.requests.size());
    }

    @Test
    void theSameQueryOnAnotherSourceIsAnotherRequest() {
        try (StubServer other = new StubServer()) {
            prometheus.responder = r -> Response.ok(vector("1"));
            other.responder = r -> Response.ok(vector("0"));
            GateEvaluator evaluator = new GateEvaluator(new MonitoringSources(
                    new MonitoringSource(MonitoringEndpoint.of(prometheus.url()), null),
                    Map.of("eu", new MonitoringSource(MonitoringEndpoint.of(other.url()), null))));
            assertEquals(java.util.Set.of("eu"), evaluator.sourceNames());
            List<GateResult> results = evaluator.evaluate(List.of(
                    GateDefinition.targetUp("here", "up"), GateDefinition.targetUp("there", "up").withSource("eu")));
            assertEquals(List.of(GateStatus.PASS, GateStatus.FAIL), results.stream().map(GateResult::status).toList());
            assertEquals(1, other.requests.size());
            assertEquals("no Alertmanager configured for monitoring source 'eu'", only(evaluator,
                    GateDefinition.noFiringAlerts("a", List.of("a=b")).withSource("eu")).detail());
        }
    }

    @Test
    void httpErrorsAndMalformedAnswersAreErrors() {
        GateDefinition gate = GateDefinition.targetUp("up", "up");
        prometheus.responder = r -> new Response(503, "unavailable", 0);
        GateResult unavailable = only(evaluator(), gate);
        assertEquals(GateStatus.ERROR, unavailable.status());
        assertEquals("HTTP 503 from Prometheus at " + prometheus.address(), unavailable.detail());

        prometheus.responder = r -> Response.ok("{\"status\":\"success\",\"data\":");
        assertEquals("malformed response from Prometheus at " + prometheus.address() + ": body is not a JSON object",
                only(evaluator(), gate).detail());

        alertmanager.responder = r -> Response.ok("{\"not\":\"a list\"}");
        GateResult alerts = only(evaluator(), GateDefinition.noFiringAlerts("a", List.of("a=b")));
        assertEquals(GateStatus.ERROR, alerts.status());
        assertEquals("malformed response from Alertmanager at " + alertmanager.address()
                + ": body is not a JSON array of alerts", alerts.detail());
    }

    @Test
    void slowServersTimeOut() {
        prometheus.responder = r -> new Response(200, vector("1"), 3000);
        GateEvaluator evaluator = evaluator(MonitoringEndpoint.of(prometheus.url())
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)), null);
        // The server would answer PASS after 3 s; an ERROR naming the 300 ms timeout shows the evaluation
        // gave up instead of waiting (how fast is the benchmarks' business, not this test's).
        GateResult result = only(evaluator, GateDefinition.targetUp("up", "up"));
        assertEquals(GateStatus.ERROR, result.status());
        assertEquals("timeout after 300ms querying Prometheus at " + prometheus.address(), result.detail());
        assertTrue(result.latency().toMillis() >= 300, "latency " + result.latency());
    }

    @Test
    void unreachableServersAreErrorsWithoutCredentials() {
        String address = prometheus.address();
        prometheus.close();
        GateEvaluator evaluator = evaluator(
                MonitoringEndpoint.of("http://admin:" + PASSWORD + "@" + address).withTimeouts(Duration.ofSeconds(1), null),
                null);
        GateResult result = only(evaluator, GateDefinition.targetUp("up", "up"));
        // The evidence of an ERROR names what was asked and what a pass needs, and the failure as observed.
        assertEquals(new GateResult("up", GateKind.TARGET_UP, GateStatus.ERROR,
                "connection refused to Prometheus at " + address, NOW, result.latency(), false,
                new GateEvidence("up", "connection refused to Prometheus at " + address,
                        "at least one series, every value = 1")), result);
    }

    @Test
    void sendsBasicAuthFromConfigOrFromTheUrl() {
        prometheus.responder = r -> Response.ok(vector("1"));
        String expected = "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        only(evaluator(MonitoringEndpoint.of(prometheus.url()).withBasicAuth("admin", PASSWORD), null),
                GateDefinition.targetUp("up", "up"));
        only(evaluator(MonitoringEndpoint.of("http://admin:" + PASSWORD + "@" + prometheus.address()), null),
                GateDefinition.targetUp("up", "up"));
        assertEquals(List.of(expected, expected), prometheus.requests.stream().map(Request::authorization).toList());
    }

    @Test
    void credentialsEchoedByTheServerNeverReachTheDetail() {
        prometheus.responder = r -> new Response(401, "{\"status\":\"error\",\"errorType\":\"unauthorized\","
                + "\"error\":\"rejected " + r.authorization() + "\"}", 0);
        alertmanager.responder = r -> new Response(403, "\"rejected " + r.authorization() + "\"", 0);
        GateEvaluator evaluator = evaluator(MonitoringEndpoint.of(prometheus.url()).withBearerToken(TOKEN),
                MonitoringEndpoint.of(alertmanager.url()).withBasicAuth("admin", PASSWORD));
        List<GateResult> results = evaluator.evaluate(List.of(GateDefinition.targetUp("up", "up"),
                GateDefinition.noFiringAlerts("alerts", List.of("a=b"))));
        assertEquals("HTTP 401 from Prometheus at " + prometheus.address()
                + " (check the configured credentials): unauthorized: rejected Bearer ****", results.get(0).detail());
        assertEquals("HTTP 403 from Alertmanager at " + alertmanager.address()
                + " (check the configured credentials): rejected Basic ****", results.get(1).detail());
        for (GateResult result : results) {
            assertFalse(result.detail().contains(TOKEN) || result.detail().contains(PASSWORD)
                    || result.detail().contains("YWRtaW4"), result.detail());
        }
        String described = MonitoringEndpoint.of(prometheus.url()).withBearerToken(TOKEN).withBasicAuth("a", PASSWORD)
                .toString();
        assertFalse(described.contains(TOKEN) || described.contains(PASSWORD), described);
    }

    @Test
    void misconfiguredEndpointsFailClosed(@TempDir Path dir) throws Exception {
        GateDefinition gate = GateDefinition.targetUp("up", "up");
        GateResult bothAuths = only(evaluator(MonitoringEndpoint.of(prometheus.url()).withBearerToken(TOKEN)
                .withBasicAuth("admin", PASSWORD), null), gate);
        assertEquals("Prometheus at " + prometheus.address()
                + " is misconfigured: both bearer-token and basic-auth are configured; choose one", bothAuths.detail());

        GateResult missingCa = only(evaluator(MonitoringEndpoint.of(prometheus.url())
                .withCaFile(dir.resolve("missing.pem")), null), gate);
        assertEquals(GateStatus.ERROR, missingCa.status());
        assertEquals("Prometheus at " + prometheus.address() + " is misconfigured: cannot read ca-file "
                + dir.resolve("missing.pem") + ": NoSuchFileException", missingCa.detail());

        Files.writeString(dir.resolve("empty.pem"), "");
        assertTrue(only(evaluator(MonitoringEndpoint.of(prometheus.url()).withCaFile(dir.resolve("empty.pem")), null),
                gate).detail().endsWith("holds no PEM certificate"));

        assertEquals("Prometheus at prom:9090 is misconfigured: URL must start with http:// or https://",
                only(evaluator(MonitoringEndpoint.of("ftp://prom:9090"), null), gate).detail());
        assertEquals(0, prometheus.requests.size());
    }

    @Test
    void trustsTheConfiguredCaForTls(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path ca = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", ca.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        try (StubServer https = new StubServer(tls)) {
            https.responder = r -> Response.ok(vector("1"));
            GateDefinition gate = GateDefinition.targetUp("up", "up");
            GateResult trusted = only(evaluator(MonitoringEndpoint.of(https.url()).withCaFile(ca), null), gate);
            assertEquals(GateStatus.PASS, trusted.status(), trusted.detail());

            GateResult untrusted = only(evaluator(MonitoringEndpoint.of(https.url()), null), gate);
            assertEquals(GateStatus.ERROR, untrusted.status());
            assertTrue(untrusted.detail().startsWith("TLS error talking to Prometheus at " + https.address() + ": "),
                    untrusted.detail());
        }
    }

    @Test
    void definitionsThatSkippedValidationAreErrors() {
        GateResult result = only(evaluator(), GateDefinition.queryThreshold("t", "x", "about 1"));
        assertEquals(GateStatus.ERROR, result.status());
        assertTrue(result.detail().startsWith("invalid gate definition: expected an operator"), result.detail());
        assertEquals(GateStatus.ERROR,
                only(evaluator(), new GateDefinition("k", null, "up", null, null, null, null, null)).status());
        assertEquals("invalid gate definition: no metrics to check",
                only(evaluator(), GateDefinition.metricsPresent("m", List.of())).detail());
    }

    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
    }
}
