package dev.rollout.dashboard;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.Browser;
import dev.rollout.support.SseClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard in a real browser (headless Chromium): sign-in, live updates, a command with its reason,
 * what a viewer sees, and an invalid token. Rollouts here use MANUAL plans without gates, and the watch is
 * held while the page acts, so nothing but the test and the page moves them.
 */
@QuarkusTest
class DashboardTest {

    private static WebDriver browser;

    @TestHTTPResource("/")
    URL root;

    @Inject
    RolloutWatch watch;

    private WebDriverWait wait;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(1280, 900);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void signedOut() {
        wait = Browser.waitFor(browser);
        browser.get(root.toString());
        Browser.script(browser, "sessionStorage.clear()");
        browser.get(root.toString());
        wait.until(visibilityOfElementLocated(By.id("signin")));
    }

    @AfterEach
    void console() {
        Browser.consoleProblems(browser).forEach(p -> System.out.println("browser console: " + p));
    }

    @Test
    void theDashboardAndItsAssetsNeedNoCredentialsButCarryNoData() {
        Auth.anonymous().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("/dashboard/app.js"));
        for (String asset : List.of("/dashboard/app.js", "/dashboard/style.css", "/webjars/uplot/dist/uPlot.esm.js",
                "/webjars/uplot/dist/uPlot.min.css")) {
            Auth.anonymous().get(asset).then().statusCode(200);
        }
        // the data stays behind the bearer token
        Auth.anonymous().get("/api/v1/rollouts").then().statusCode(401);
    }

    @Test
    void anInvalidTokenIsToldSoAndNotKept() {
        signIn("rt_" + "C".repeat(43));
        wait.until(textToBePresentInElementLocated(By.id("signin-error"), "This token is not valid"));
        assertNull(Browser.script(browser, "return sessionStorage.getItem('rollout.token')"));
        assertTrue(browser.findElement(By.id("nav")).getAttribute("hidden") != null, "no navigation before sign-in");
    }

    @Test
    void signInShowsTheRolloutsAndSignOutForgetsTheToken() {
        String plan = createPlan(plan(unique("dash-list"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        String target = unique("dash-list");
        String id = startRollout(plan, target);
        String[] viewer = Auth.newToken("viewer");

        signIn(viewer[1]);
        wait.until(textToBePresentInElementLocated(By.id("who"), viewer[0] + " · viewer"));
        WebElement row = wait.until(presenceOfElementLocated(By.cssSelector("#rollouts tr[data-id='" + id + "']")));
        assertTrue(row.getText().contains(target), row.getText());
        assertEquals("0", row.findElement(By.cssSelector(".progress")).getAttribute("data-percentage"));

        // the state filter asks the API for that state only
        browser.findElement(By.cssSelector("#state-filter option[value='PAUSED']")).click();
        wait.until(d -> d.getCurrentUrl().contains("state=PAUSED"));
        wait.until(d -> d.findElements(By.cssSelector("#rollouts tr[data-id='" + id + "']")).isEmpty());

        browser.findElement(By.id("sign-out")).click();
        wait.until(visibilityOfElementLocated(By.id("signin")));
        assertNull(Browser.script(browser, "return sessionStorage.getItem('rollout.token')"));
    }

    @Test
    void aRolloutAdvancesLiveAndIsPausedFromThePageWithAReason() {
        String id = startRollout(createPlan(plan(unique("dash-live"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("dash-live"));
        String[] operator = Auth.newToken("operator");
        watch.hold();
        try {
            signIn(operator[1]);
            open("#/rollouts/" + id);
            wait.until(textToBe(By.id("percentage"), "0 %"));
            wait.until(attributeToBe(By.id("live"), "data-status", "live")); // the event stream, not polling
            Browser.script(browser, "window.notReloaded = true");

            // advanced through the API while the page is open: the page follows without a reload
            long asked = System.nanoTime();
            Api.advance(id).then().statusCode(200);
            wait.until(textToBe(By.id("percentage"), "5 %"));
            wait.until(presenceOfElementLocated(By.cssSelector("#history tr[data-action='step']")));
            System.out.printf("dashboard: an advance reached the open page %d ms after it was asked%n",
                    (System.nanoTime() - asked) / 1_000_000);
            assertEquals(Boolean.TRUE, Browser.script(browser, "return window.notReloaded === true"));

            // pause from the page: the dialog asks for the reason
            wait.until(presenceOfElementLocated(By.id("action-pause"))).click();
            WebElement reason = wait.until(visibilityOfElementLocated(By.id("reason")));
            reason.sendKeys("error budget spent");
            browser.findElement(By.id("reason-confirm")).click();

            wait.until(textToBePresentInElementLocated(By.id("rollout-state"), "PAUSED"));
            WebElement paused = wait.until(presenceOfElementLocated(By.cssSelector("#history tr[data-action='paused']")));
            assertTrue(paused.getText().contains("error budget spent"), paused.getText());
            assertTrue(paused.getText().contains(operator[0]), paused.getText());
            wait.until(attributeToBe(By.cssSelector("#timeline-markers li[data-kind='paused']"), "data-count", "1"));
            assertTrue(!browser.findElements(By.cssSelector("#timeline-chart canvas")).isEmpty(), "the chart is drawn");
            // now PAUSED: resume is offered, pause no longer
            wait.until(presenceOfElementLocated(By.id("action-resume")));
            assertTrue(browser.findElements(By.id("action-pause")).isEmpty());
            assertEquals(Boolean.TRUE, Browser.script(browser, "return window.notReloaded === true"));
        } finally {
            watch.release();
        }
        Map<String, Object> last = Api.history(id).get(Api.history(id).size() - 1);
        assertEquals("paused", last.get("action"));
        assertEquals("error budget spent", last.get("reason"));
        assertEquals(operator[0], last.get("actor"));
    }

    @Test
    void aStreamRefusedForAWhileIsResumedWithLastEventIdAndMissesNothing() {
        String id = startRollout(createPlan(plan(unique("dash-resume"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("dash-resume"));
        String[] viewer = Auth.newToken("viewer");
        List<SseClient> taken = new ArrayList<>();
        watch.hold();
        try {
            // every stream this credential may hold is taken: the page's stream is refused (429) and retried
            for (int i = 0; i < 3; i++) {
                taken.add(SseClient.open(root + "api/v1/events", Map.of("Authorization", "Bearer " + viewer[1])));
                assertEquals(200, taken.get(i).status());
            }
            signIn(viewer[1]);
            open("#/rollouts/" + id);
            wait.until(textToBe(By.id("percentage"), "0 %"));
            wait.until(attributeToBe(By.id("live"), "data-status", "reconnecting"));
            // an event the page has not seen, appended while it has no stream
            Api.advance(id).then().statusCode(200);
            taken.forEach(SseClient::close);
            taken.clear();
            // the retry resumes after the last event the page saw (Last-Event-ID), so the advance arrives
            wait.until(attributeToBe(By.id("live"), "data-status", "live"));
            wait.until(textToBe(By.id("percentage"), "5 %"));
            assertEquals(1, browser.findElements(By.cssSelector("#history tr[data-action='step']")).size(),
                    "the event is shown once");
        } finally {
            taken.forEach(SseClient::close);
            watch.release();
        }
    }

    @Test
    void aViewerSeesNoActionButtons() {
        String id = startRollout(createPlan(plan(unique("dash-viewer"), "MANUAL", "PAUSE", seedSteps("PT1H"))),
                unique("dash-viewer"));
        signIn(Auth.newToken("viewer")[1]);
        open("#/rollouts/" + id);
        wait.until(attributeToBe(By.id("main"), "data-loaded", "true"));
        wait.until(presenceOfElementLocated(By.cssSelector("#history tr[data-action='started']")));
        assertTrue(browser.findElements(By.cssSelector("#actions-card button, [id^='action-']")).isEmpty(),
                "a viewer is offered no command");
        assertTrue(browser.findElement(By.id("actions-card")).getAttribute("hidden") != null);

        // the same page for a deployer offers advance, and only that
        browser.findElement(By.id("sign-out")).click();
        signIn(Auth.newToken("deployer")[1]);
        open("#/rollouts/" + id);
        wait.until(presenceOfElementLocated(By.id("action-advance")));
        assertEquals(1, browser.findElements(By.cssSelector("#actions button")).size());
    }

    @Test
    void anOperatorApprovesAStepThatAwaitsApproval() {
        List<Map<String, Object>> steps = List.of(Map.of("percentage", 5, "minDwell", "PT1H", "approval", true),
                Api.step(100, "PT1H"));
        String id = startRollout(createPlan(plan(unique("dash-approve"), "MANUAL", "PAUSE", steps)),
                unique("dash-approve"));
        String[] operator = Auth.newToken("operator");
        watch.hold();
        try {
            signIn(operator[1]);
            open("#/rollouts/" + id);
            wait.until(presenceOfElementLocated(By.id("awaiting-approval")));
            wait.until(presenceOfElementLocated(By.id("action-approve"))).click();
            wait.until(visibilityOfElementLocated(By.id("reason"))).sendKeys("canary dashboards reviewed");
            browser.findElement(By.id("reason-confirm")).click();
            WebElement approved = wait.until(presenceOfElementLocated(By.cssSelector("#history tr[data-action='approved']")));
            assertTrue(approved.getText().contains("canary dashboards reviewed"), approved.getText());
            wait.until(d -> d.findElements(By.id("action-approve")).isEmpty());
        } finally {
            watch.release();
        }
        assertEquals(Boolean.FALSE, Api.get(id).path("awaitingApproval"));
    }

    @Test
    void plansAreShownWithTheirPreview() {
        String plan = createPlan(plan(unique("dash-plan"), "MANUAL", "PAUSE", seedSteps("PT2H")));
        signIn(Auth.newToken("viewer")[1]);
        open("#/plans");
        WebElement card = wait.until(presenceOfElementLocated(By.cssSelector(".plan[data-plan='" + plan + "']")));
        wait.until(d -> !card.findElements(By.cssSelector(".minimum")).isEmpty());
        assertEquals("PT12H", card.findElement(By.cssSelector(".minimum")).getText());
        assertTrue(!card.findElements(By.cssSelector(".warnings li[data-code='no-gates']")).isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTimelineFollowsOnlyTrafficMovesAndMarksTheRest() {
        // the chart's columns, computed by the page's own module from a made-up history
        String script = """
                const done = arguments[arguments.length - 1];
                import('/dashboard/chart.js').then((chart) => done(chart.timeline(
                  { startedAt: '2026-01-01T00:00:00Z', finishedAt: null, currentPercentage: 10 },
                  [ { seq: 1, action: 'started', toPercentage: 0, at: '2026-01-01T00:00:00Z' },
                    { seq: 2, action: 'step', fromPercentage: 0, toPercentage: 5, at: '2026-01-01T00:01:00Z' },
                    { seq: 3, action: 'advance_refused', fromPercentage: 5, toPercentage: 10, at: '2026-01-01T00:02:00Z' },
                    { seq: 4, action: 'paused', fromPercentage: 5, toPercentage: 5, at: '2026-01-01T00:03:00Z' },
                    { seq: 5, action: 'override', fromPercentage: 5, toPercentage: 10, at: '2026-01-01T00:04:00Z' },
                    { seq: 6, action: 'step', fromPercentage: 5, toPercentage: 10, at: '2026-01-01T00:04:00Z' } ],
                  Date.parse('2026-01-01T01:00:00Z')))).catch((e) => done(String(e)));
                """;
        Object answer = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(script);
        List<List<Object>> columns = (List<List<Object>>) answer;
        List<Object> percentage = columns.get(1);
        // started (row 0 is the start), 0, 5, a refusal and a pause at 5, the override at 5, then 10 until now
        assertEquals(List.of(0L, 0L, 5L, 5L, 5L, 5L, 10L, 10L), percentage.stream().map(v -> ((Number) v).longValue()).toList());
        assertEquals(5L, ((Number) columns.get(3).get(3)).longValue(), "the refusal is marked at the percentage served");
        assertEquals(5L, ((Number) columns.get(4).get(4)).longValue(), "the pause is marked");
        assertEquals(5L, ((Number) columns.get(5).get(5)).longValue(), "the override is marked before its step");
        assertTrue(columns.get(2).stream().allMatch(java.util.Objects::isNull), "no violation");
        assertEquals(Instant.parse("2026-01-01T01:00:00Z").getEpochSecond(), ((Number) columns.get(0).get(7)).longValue(),
                "the line runs on to now");
    }

    private void signIn(String token) {
        WebElement input = wait.until(visibilityOfElementLocated(By.id("token")));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.id("signin-submit")).click();
    }

    private void open(String fragment) {
        wait.until(visibilityOfElementLocated(By.id("nav")));
        Browser.script(browser, "location.hash = arguments[0]", fragment);
    }
}
