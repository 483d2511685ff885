package dev.rollout.freeze;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.TestClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * What a freeze holds (starts, manual advances, the watch's automatic ones) and what it does not (pause,
 * resume, rollback, abort, the violation policy), which refusal wins, the override, and advance windows. The
 * test holds the watch and runs its ticks itself.
 */
@QuarkusTest
class FreezeRefusalTest {

    /** Fails: no such job is scraped. */
    private static final Map<String, Object> MISSING = Map.of("name", "missing-up", "kind", "target-up",
            "query", "up{job=\"no-such-job\"}");
    /** Passes while the fake orchestrator is up. */
    private static final Map<String, Object> UP = Map.of("name", "orchestrator-up", "kind", "target-up",
            "query", "up{job=\"" + MonitoringResource.JOB + "\"}");

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    @BeforeEach
    void holdWatch() {
        watch.hold();
    }

    @AfterEach
    void release() {
        clock.reset();
        watch.release();
    }

    /** Freezes {@code targets} from a minute ago for {@code hours}; answers the freeze's end. */
    private Instant freeze(String name, List<String> targets, int hours) {
        Instant now = clock.now().truncatedTo(ChronoUnit.SECONDS);
        Instant until = now.plus(Duration.ofHours(hours));
        FreezeApiTest.post(Map.of("name", name, "from", now.minusSeconds(60).toString(), "until", until.toString(),
                "targets", targets, "reason", "quiet period")).then().statusCode(201);
        return until;
    }

    private static void expectFrozen(Response response, Instant until, String freeze) {
        response.then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/frozen")).body("until", equalTo(until.toString()))
                .body("freezes", equalTo(List.of(freeze)));
        long retryAfter = Long.parseLong(response.header("Retry-After"));
        assertTrue(retryAfter > 3 * 3600 - 120 && retryAfter <= 4 * 3600, "Retry-After " + retryAfter);
    }

    @Test
    void aFreezeRefusesStartsOnItsTargetsOnly() {
        String plan = createPlan(plan(unique("frozen-start"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String prefix = unique("frz");
        String name = unique("no-starts");
        Instant until = freeze(name, List.of(prefix + "-*"), 4);
        int before = Api.all("/api/v1/rollouts?target=" + prefix + "-*").size();
        expectFrozen(given().contentType(ContentType.JSON).body(Map.of("plan", plan, "target", prefix + "-api",
                "version", "v1")).post("/api/v1/rollouts"), until, name);
        assertEquals(before, Api.all("/api/v1/rollouts?target=" + prefix + "-*").size(), "nothing started");
        startRollout(plan, unique("unfrozen"));
        FreezeApiTest.lift(name, "done").then().statusCode(204);
        startRollout(plan, prefix + "-api");
    }

    @Test
    void aFreezeRefusesManualAdvancesFirstOfAllAndLiftingItLetsThemThrough() {
        String target = unique("frozen-manual");
        String id = startRollout(createPlan(plan(unique("manual"), "MANUAL", "PAUSE", seedSteps("PT1H"))), target);
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        String name = unique("manual-freeze");
        Instant until = freeze(name, List.of(target), 4);
        // the dwell is not over either, but frozen comes first
        expectFrozen(Api.advance(id), until, name);
        Map<String, Object> refused = Api.history(id).get(Api.history(id).size() - 1);
        assertEquals("advance_refused", refused.get("action"));
        assertEquals("frozen", refused.get("reason"));
        clock.advance(Duration.ofHours(2));
        expectFrozenStill(Api.advance(id));
        FreezeApiTest.lift(name, "done").then().statusCode(204);
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
    }

    private static void expectFrozenStill(Response response) {
        response.then().statusCode(409).body("type", equalTo("/problems/frozen"));
    }

    @Test
    void pauseResumeRollbackAndAbortStillWorkDuringAFreeze() {
        String plan = createPlan(plan(unique("commands"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String a = startRollout(plan, unique("frz-cmd"));
        String b = startRollout(plan, unique("frz-cmd"));
        Api.advance(a).then().statusCode(200);
        String name = unique("commands");
        freeze(name, List.of("frz-cmd*"), 4);
        Api.command(a, "pause", "hold on").then().statusCode(200).body("state", equalTo("PAUSED"));
        Api.command(a, "resume", null).then().statusCode(200).body("state", equalTo("PROGRESSING"))
                .body("currentPercentage", equalTo(5.0f));
        Api.command(a, "rollback", "bad build").then().statusCode(200).body("state", equalTo("ROLLED_BACK"));
        Api.command(b, "abort", "not today").then().statusCode(200).body("state", equalTo("ABORTED"));
        FreezeApiTest.lift(name, "done").then().statusCode(204);
    }

    @Test
    void theWatchDoesNotAdvanceAnAutomaticRolloutDuringAFreeze() {
        String target = unique("frozen-auto");
        String id = startRollout(createPlan(plan(unique("auto"), "AUTOMATIC", "PAUSE", seedSteps("PT0S"))), target);
        String name = unique("auto-freeze");
        freeze(name, List.of(target), 4);
        watch.tick();
        watch.tick();
        Api.get(id).then().body("currentPercentage", equalTo(0.0f)).body("state", equalTo("PROGRESSING"));
        FreezeApiTest.lift(name, "done").then().statusCode(204);
        watch.tick();
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
    }

    @Test
    void aViolationDuringAFreezeStillPauses() {
        violationDuringAFreeze("PAUSE", "PAUSED");
    }

    @Test
    void aViolationDuringAFreezeStillRollsBack() {
        violationDuringAFreeze("ROLLBACK", "ROLLED_BACK");
    }

    private void violationDuringAFreeze(String policy, String state) {
        String target = unique("frozen-violation");
        Map<String, Object> body = new HashMap<>(plan(unique("violating"), "AUTOMATIC", policy, seedSteps("PT1H")));
        body.put("gates", List.of(MISSING));
        String id = startRollout(createPlan(body), target);
        String name = unique("violation-freeze");
        freeze(name, List.of(target), 4);
        watch.tick();
        Api.get(id).then().body("state", equalTo(state));
        List<String> actions = Api.history(id).stream().map(e -> (String) e.get("action")).toList();
        assertTrue(actions.contains("gate_violation"), actions.toString());
        FreezeApiTest.lift(name, "done").then().statusCode(204);
    }

    @Test
    void anAdminOverrideSetsAFreezeAsideAndSaysSo() {
        String target = unique("frozen-override");
        String id = startRollout(createPlan(plan(unique("override"), "MANUAL", "PAUSE", seedSteps("PT1H"))), target);
        Api.advance(id).then().statusCode(200);
        String name = unique("override-freeze");
        Instant until = freeze(name, List.of(target), 4);
        String[] admin = Auth.newToken("admin");
        Auth.as(admin[1]).contentType(ContentType.JSON).body(Map.of("override", true, "reason", "security fix CVE-1"))
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200)
                .body("currentPercentage", equalTo(10.0f));
        List<Map<String, Object>> history = Api.history(id);
        Map<String, Object> override = history.get(history.size() - 2);
        assertEquals("override", override.get("action"));
        assertEquals(admin[0], override.get("actor"));
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) override.get("details");
        assertEquals(List.of("freeze", "dwell"), details.get("bypassed"));
        assertEquals(List.of(name), details.get("freezes"));
        assertEquals(until.toString(), details.get("frozenUntil"));
        expectFrozenStill(Api.advance(id));
        FreezeApiTest.lift(name, "done").then().statusCode(204);
    }

    @Test
    void stepsAreEnteredOnlyInsideAnAdvanceWindowAndTheDwellCountsOutsideIt() {
        // A window on one day only, two days from now (UTC): closed now.
        Instant now = clock.now();
        Instant opening = now.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(2).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        DayOfWeek day = opening.atOffset(ZoneOffset.UTC).getDayOfWeek();
        String dayName = day.name().substring(0, 3).toUpperCase(Locale.ROOT);
        Map<String, Object> body = new HashMap<>(plan(unique("windowed"), "MANUAL", "PAUSE",
                List.of(step(50, "PT1H"), step(100, "PT0S"))));
        body.put("advanceWindows", List.of(Map.of("days", List.of(dayName), "from", "00:00", "until", "01:00",
                "zone", "UTC")));
        String plan = createPlan(body);
        given().get("/api/v1/plans/" + plan).then().body("advanceWindows[0].days", equalTo(List.of(dayName)));
        String id = startRollout(plan, unique("windowed"));

        Response outside = Api.advance(id);
        outside.then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/outside-window")).body("opensAt", equalTo(opening.toString()));
        long retryAfter = Long.parseLong(outside.header("Retry-After"));
        long expected = Duration.between(clock.now(), opening).toSeconds();
        assertTrue(Math.abs(retryAfter - expected) <= 5, "Retry-After " + retryAfter + ", expected about " + expected);

        clock.advance(Duration.between(clock.now(), opening).plusMinutes(1));
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(50.0f));
        Api.advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        // the dwell (an hour) ends after the window has closed: the answer is outside-window, not too-early
        clock.advance(Duration.ofMinutes(70));
        Api.advance(id).then().statusCode(409).body("type", equalTo("/problems/outside-window"));
        // a week later the window opens again and the step is entered at once: the dwell counted meanwhile
        clock.advance(Duration.ofDays(7).minusMinutes(71));
        Api.advance(id).then().statusCode(200).body("state", equalTo("COMPLETED"));
    }

    @Test
    void anAdminOverrideSetsAWindowAsideAndSaysSo() {
        Instant opening = clock.now().atOffset(ZoneOffset.UTC).toLocalDate().plusDays(2).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        String dayName = opening.atOffset(ZoneOffset.UTC).getDayOfWeek().name().substring(0, 3);
        Map<String, Object> body = new HashMap<>(plan(unique("override-window"), "MANUAL", "PAUSE", seedSteps("PT0S")));
        body.put("advanceWindows", List.of(Map.of("days", List.of(dayName), "from", "00:00", "until", "01:00",
                "zone", "UTC")));
        String id = startRollout(createPlan(body), unique("override-window"));
        Api.advance(id).then().statusCode(409).body("type", equalTo("/problems/outside-window"));
        Auth.as(Auth.newToken("admin")[1]).contentType(ContentType.JSON)
                .body(Map.of("override", true, "reason", "customer escalation")).post("/api/v1/rollouts/" + id + "/advance")
                .then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        List<Map<String, Object>> history = Api.history(id);
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) history.get(history.size() - 2).get("details");
        assertEquals(List.of("window"), details.get("bypassed"));
        assertEquals(opening.toString(), details.get("windowOpensAt"));
    }

    @Test
    void theWatchEntersStepsOnlyInsideAnAdvanceWindow() {
        Instant now = clock.now();
        Instant opening = now.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(2).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        String dayName = opening.atOffset(ZoneOffset.UTC).getDayOfWeek().name().substring(0, 3);
        Map<String, Object> body = new HashMap<>(plan(unique("auto-windowed"), "AUTOMATIC", "PAUSE",
                List.of(step(50, "PT0S"), step(100, "PT1H"))));
        body.put("advanceWindows", List.of(Map.of("days", List.of(dayName), "from", "00:00", "until", "02:00",
                "zone", "UTC")));
        body.put("gates", List.of(UP));
        String id = startRollout(createPlan(body), unique("auto-windowed"));
        watch.tick();
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
        clock.advance(Duration.between(clock.now(), opening).plusMinutes(1));
        watch.tick();
        Api.get(id).then().body("currentPercentage", equalTo(50.0f));
    }
}
