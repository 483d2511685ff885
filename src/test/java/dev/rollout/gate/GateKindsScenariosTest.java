package dev.rollout.gate;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.monitoring.FakeTarget;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The burn-rate and compare gates against the real Prometheus of the test support, scraping (every second) a
 * target whose series each test sets: counters that a driver increases at the error ratio a test chooses, and
 * gauges for the canary and the baseline. Gates are evaluated directly, or through an advance while the watch
 * is held, so no test races the watch.
 */
@QuarkusTest
class GateKindsScenariosTest {

    /** Burn-rate windows short enough for a test: thresholds at objective 0.99 are 0.1 and 0.5. */
    private static final List<BurnWindow> SHORT_WINDOWS = List.of(BurnWindow.of("30s", "10s", 10));
    private static final double THRESHOLD = 0.1;
    private static final Duration DATA_WITHIN = Duration.ofSeconds(30);

    @Inject
    GateEvaluator gates;

    @Inject
    RolloutWatch watch;

    private final List<String> started = new ArrayList<>();
    private final List<String> series = new ArrayList<>();
    private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
    private FakeTarget target;
    private PrometheusClient prometheus;

    @BeforeEach
    void setUp() {
        target = MonitoringResource.target();
        prometheus = new PrometheusClient(MonitoringEndpoint.of(MonitoringResource.stack().prometheusUrl()));
    }

    @AfterEach
    void cleanUp() {
        traffic.shutdownNow();
        watch.release();
        for (String id : started) {
            command(id, "abort", "test over");
        }
        series.forEach(target::remove);
    }

    /** Requests and errors of one test's service, counted as its traffic goes. */
    private final class Service {
        final String name = unique("svc");
        final String requests = "kinds_requests_total{service=\"" + name + "\"}";
        final String errors = "kinds_errors_total{service=\"" + name + "\"}";
        final String errorRatio = "sum(rate(kinds_errors_total{service=\"" + name + "\"}[$window]))"
                + " / sum(rate(kinds_requests_total{service=\"" + name + "\"}[$window]))";
        private final AtomicLong requestCount = new AtomicLong();
        private final AtomicLong errorCount = new AtomicLong();
        /** Errors per 100 requests from now on. */
        volatile int errorsPerHundred;

        Service(int errorsPerHundred) {
            this.errorsPerHundred = errorsPerHundred;
            series.add(requests);
            series.add(errors);
            publish();
            // 1,000 requests a second, in steps of 100 every 100 ms; errors at the share set.
            traffic.scheduleAtFixedRate(() -> {
                requestCount.addAndGet(100);
                errorCount.addAndGet(this.errorsPerHundred);
                publish();
            }, 100, 100, TimeUnit.MILLISECONDS);
        }

        private synchronized void publish() {
            target.set(errors, errorCount.get());
            target.set(requests, requestCount.get());
        }

        GateDefinition gate() {
            return GateDefinition.burnRate("slo", errorRatio, 0.99, SHORT_WINDOWS);
        }

        /** The error ratio over {@code window} as Prometheus answers it now, or NaN without data. */
        double ratio(String window) {
            InstantQueryResult result = prometheus.query(BurnRate.query(errorRatio, window)).join();
            return result.samples().isEmpty() ? Double.NaN : result.samples().get(0).value();
        }
    }

    private GateResult evaluate(GateDefinition gate) {
        return gates.evaluate(List.of(gate)).get(0);
    }

    /** The first result with data over every window: before two scrapes, rate() has none. */
    private GateResult firstWithData(GateDefinition gate) {
        GateResult[] result = new GateResult[1];
        await().atMost(DATA_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> (result[0] = evaluate(gate)).status() != GateStatus.ERROR);
        return result[0];
    }

    /** The value the detail shows for {@code window}, e.g. {@code 10s = 0.2}. */
    private static double seen(GateResult result, String window) {
        Matcher m = Pattern.compile("\\b" + window + " = ([0-9.eE+-]+)").matcher(result.detail());
        assertTrue(m.find(), "no value for " + window + " in " + result.detail());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aFastBurnFails() {
        Service service = new Service(50);
        GateResult result = firstWithData(service.gate());
        assertEquals(GateStatus.FAIL, result.status(), result.detail());
        assertTrue(seen(result, "30s") > THRESHOLD && seen(result, "10s") > THRESHOLD, result.detail());
        assertTrue(result.detail().contains("both over 0.1 (10 × 0.01)"), result.detail());
        assertTrue(result.detail().contains("errorRatio: " + service.errorRatio), result.detail());
    }

    @Test
    void aSlowBurnUnderTheFactorPasses() {
        Service service = new Service(5);
        GateResult result = firstWithData(service.gate());
        assertEquals(GateStatus.PASS, result.status(), result.detail());
        // Errors are burning (5 %, five times the budget of 1 %) but under the factor of 10.
        assertTrue(seen(result, "30s") > 0.01 && seen(result, "10s") > 0.01, result.detail());
        assertTrue(result.detail().contains("not both over 0.1"), result.detail());
    }

    @Test
    void aShortSpikeTheLongWindowDoesNotConfirmPasses() {
        Service service = new Service(0);
        // The long window must hold a steady, error-free history before the spike.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            InstantQueryResult samples = prometheus.query("count_over_time(" + service.requests + "[30s])").join();
            return !samples.samples().isEmpty() && samples.samples().get(0).value() >= 28;
        });
        assertEquals(GateStatus.PASS, evaluate(service.gate()).status());

        service.errorsPerHundred = 100;
        await().atMost(DATA_WITHIN).pollInterval(Duration.ofMillis(100)).until(() -> service.ratio("10s") > 0.15);
        service.errorsPerHundred = 0;

        // The spike stays in the short window for several seconds after it ended.
        GateResult result = evaluate(service.gate());
        assertTrue(seen(result, "10s") > THRESHOLD, "the short window sees the spike: " + result.detail());
        assertTrue(seen(result, "30s") < THRESHOLD, "the long window does not confirm it: " + result.detail());
        assertEquals(GateStatus.PASS, result.status(), result.detail());
    }

    @Test
    void noDataIsAnError() {
        String ratio = "sum(rate(kinds_never_scraped_total[$window])) / sum(rate(kinds_requests_total[$window]))";
        GateResult result = evaluate(GateDefinition.burnRate("slo", ratio, 0.99, SHORT_WINDOWS));
        assertEquals(GateStatus.ERROR, result.status(), result.detail());
        assertTrue(result.detail().startsWith("cannot tell the burn rate for objective 0.99: 30s: no data for "
                + BurnRate.query(ratio, "30s")), result.detail());
    }

    /** Latency gauges of a canary and a stable track; a null value leaves that track out. */
    private String latencies(Double canary, Double stable) {
        String name = unique("svc");
        if (canary != null) {
            setSeries("kinds_latency_seconds{service=\"" + name + "\",track=\"canary\"}", canary);
        }
        if (stable != null) {
            setSeries("kinds_latency_seconds{service=\"" + name + "\",track=\"stable\"}", stable);
        }
        return name;
    }

    private void setSeries(String name, double value) {
        series.add(name);
        target.set(name, value);
    }

    private static GateDefinition compare(String service, MaxIncrease maxIncrease) {
        return GateDefinition.compare("latency-vs-stable",
                "max(kinds_latency_seconds{service=\"" + service + "\",track=\"canary\"})",
                "max(kinds_latency_seconds{service=\"" + service + "\",track=\"stable\"})", maxIncrease);
    }

    @Test
    void compareCanaryWithBaseline() {
        MaxIncrease relative = MaxIncrease.percent("20%");
        MaxIncrease absolute = MaxIncrease.absolute(0.05);
        Map<String, GateDefinition> cases = new java.util.LinkedHashMap<>();
        cases.put("relative within", compare(latencies(0.29, 0.25), relative));
        cases.put("relative over", compare(latencies(0.31, 0.25), relative));
        cases.put("absolute within", compare(latencies(0.29, 0.25), absolute));
        cases.put("absolute over", compare(latencies(0.31, 0.25), absolute));
        cases.put("no canary", compare(latencies(null, 0.25), relative));
        cases.put("no baseline", compare(latencies(0.25, null), relative));
        cases.put("zero baseline, percentage, zero canary", compare(latencies(0.0, 0.0), relative));
        cases.put("zero baseline, percentage", compare(latencies(0.01, 0.0), relative));
        cases.put("zero baseline, absolute", compare(latencies(0.01, 0.0), absolute));
        List<GateDefinition> definitions = List.copyOf(cases.values());
        // Every series set above is scraped before the gates are asked.
        await().atMost(DATA_WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> series.stream()
                .allMatch(s -> !prometheus.query(s).join().samples().isEmpty()));

        List<GateResult> results = gates.evaluate(definitions);
        Map<String, GateResult> byCase = new HashMap<>();
        List<String> names = List.copyOf(cases.keySet());
        for (int i = 0; i < names.size(); i++) {
            byCase.put(names.get(i), results.get(i));
        }
        Map<String, GateStatus> expected = Map.of("relative within", GateStatus.PASS, "relative over", GateStatus.FAIL,
                "absolute within", GateStatus.PASS, "absolute over", GateStatus.FAIL, "no canary", GateStatus.ERROR,
                "no baseline", GateStatus.ERROR, "zero baseline, percentage, zero canary", GateStatus.PASS,
                "zero baseline, percentage", GateStatus.FAIL, "zero baseline, absolute", GateStatus.PASS);
        expected.forEach((name, status) -> assertEquals(status, byCase.get(name).status(),
                name + ": " + byCase.get(name).detail()));
        assertTrue(byCase.get("relative over").detail().startsWith(
                "canary = 0.31, baseline = 0.25, threshold 0.3 (baseline + 20%): canary over by 0.01; canary: max("),
                byCase.get("relative over").detail());
        assertTrue(byCase.get("absolute within").detail().startsWith(
                "canary = 0.29, baseline = 0.25, threshold 0.3 (baseline + 0.05): canary within"),
                byCase.get("absolute within").detail());
        assertTrue(byCase.get("no canary").detail().startsWith("canary: no data for max("),
                byCase.get("no canary").detail());
        assertTrue(byCase.get("no baseline").detail().startsWith("baseline: no data for max("),
                byCase.get("no baseline").detail());
        assertTrue(byCase.get("zero baseline, percentage").detail().startsWith(
                "canary = 0.01, baseline = 0, threshold 0 (baseline + 20%)"), byCase.get("zero baseline, percentage").detail());
    }

    @Test
    void anAdvanceIsRefusedWithTheEvidenceOfBothKindsAndThePlanReadsBackAsWritten() {
        Service burning = new Service(50);
        String latency = latencies(0.31, 0.25);
        GateDefinition compare = compare(latency, MaxIncrease.absolute(0.05));
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("kinds"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        plan.put("gates", List.of(
                Map.of("name", "slo", "kind", "burn-rate", "errorRatio", burning.errorRatio, "objective", 0.99,
                        "windows", List.of(Map.of("long", "30s", "short", "10s", "factor", 10))),
                Map.of("name", "latency-vs-stable", "kind", "compare", "canary", compare.canary(),
                        "baseline", compare.baseline(), "maxIncrease", 0.05)));
        String name = createPlan(plan);
        given().get("/api/v1/plans/" + name).then().statusCode(200)
                .body("gates[0].windows[0].long", equalTo("30s"))
                .body("gates[1].maxIncrease", equalTo(0.05f));
        // Read back from the database, the gates equal what was sent: applying the plan again stores nothing.
        given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(200)
                .body("version", equalTo(1));
        firstWithData(burning.gate());
        await().atMost(DATA_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> evaluate(compare).status() == GateStatus.FAIL);

        watch.hold();
        String id = startRollout(name, unique(MonitoringResource.JOB));
        started.add(id);
        Response refused = advance(id);
        refused.then().statusCode(409).body("type", equalTo("/problems/gates-failing"))
                .body("gates.find { it.name == 'slo' }.status", equalTo("FAIL"))
                .body("gates.find { it.name == 'slo' }.kind", equalTo("burn-rate"))
                .body("gates.find { it.name == 'slo' }.detail", containsString("30s/10s: 30s = "))
                .body("gates.find { it.name == 'latency-vs-stable' }.status", equalTo("FAIL"))
                .body("gates.find { it.name == 'latency-vs-stable' }.detail",
                        containsString("canary = 0.31, baseline = 0.25, threshold 0.3 (baseline + 0.05)"));
        assertEquals(0.0f, Api.get(id).<Float>path("currentPercentage"));
    }

    @Test
    void theApiDocumentDescribesTheNewFields() throws Exception {
        com.fasterxml.jackson.databind.JsonNode schemas = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                given().get("/q/openapi?format=json").then().statusCode(200).extract().asString())
                .path("components").path("schemas");
        com.fasterxml.jackson.databind.JsonNode gate = schemas.path("GateDefinition").path("properties");
        for (String field : List.of("errorRatio", "objective", "windows", "canary", "baseline", "maxIncrease")) {
            assertTrue(gate.has(field), field + " in " + gate);
        }
        assertEquals(List.of("long", "short", "factor"), iterable(schemas.path("BurnWindow").path("properties").fieldNames()));
        assertEquals("[{\"type\":\"string\"},{\"type\":\"number\",\"format\":\"double\"}]",
                schemas.path("MaxIncrease").path("oneOf").toString(), schemas.path("MaxIncrease").toString());
        assertEquals(List.of("burn-rate", "compare"), iterable(schemas.path("GateKind").path("enum").elements())
                .stream().skip(4).toList(), schemas.path("GateKind").toString());
    }

    private static <T> List<String> iterable(java.util.Iterator<T> items) {
        List<String> list = new ArrayList<>();
        items.forEachRemaining(i -> list.add(i instanceof com.fasterxml.jackson.databind.JsonNode n ? n.asText()
                : String.valueOf(i)));
        return list;
    }

    @Test
    void anInvalidGateIsA400NamingEachProblemAndPreviewSaysTheSame() {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("kinds"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        plan.put("gates", List.of(
                Map.of("name", "slo", "kind", "burn-rate", "errorRatio", "sum(rate(errors[5m]))", "objective", 99.9,
                        "windows", List.of(Map.of("long", "5m", "short", "1h", "factor", 14.4))),
                Map.of("name", "latency", "kind", "compare", "canary", "c", "baseline", "b", "maxIncrease", "0.2")));
        given().contentType(ContentType.JSON).body(plan).post("/api/v1/plans").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("/problems/invalid-plan"))
                .body("errors", org.hamcrest.Matchers.hasItems(
                        "gates[0].errorRatio: must contain $window where each window goes, e.g. "
                                + "sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))",
                        "gates[0].objective: must be greater than 0 and less than 1, e.g. 0.999 for 99.9 %, got 99.9",
                        "gates[0].windows[0].short: must be shorter than long (5m), got 1h",
                        "gates[1].maxIncrease: a string must be a percentage such as \"20%\" (an absolute increase is a"
                                + " JSON number such as 0.05), got \"0.2\""));
        given().get("/api/v1/plans/" + plan.get("name")).then().statusCode(404);

        Map<String, Object> valid = new HashMap<>(Api.plan(unique("kinds"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        valid.put("gates", List.of(
                Map.of("name", "slo", "kind", "burn-rate", "errorRatio", "sum(rate(e[$window]))", "objective", 0.999),
                Map.of("name", "latency", "kind", "compare", "canary", "c", "baseline", "b", "maxIncrease", "20%")));
        given().contentType(ContentType.JSON).body(valid).post("/api/v1/plans/preview").then().statusCode(200)
                .body("valid", equalTo(true)).body("warnings.code", org.hamcrest.Matchers.hasItem("no-alert-gate"));
    }
}
