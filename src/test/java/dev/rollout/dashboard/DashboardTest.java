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
            Browser.script(browser, "window.notReloaded = true");

            // advanced through the API while the page is open: the page follows without a reload
            Api.advance(id).then().statusCode(200);
            wait.until(textToBe(By.id("percentage"), "5 %"));
            wait.until(presenceOfElementLocated(By.cssSelector("#history tr[data-action='step']")));
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
            assertEquals(0, browser.findElements(By.cssSelector("#timeline-chart canvas")).isEmpty() ? 1 : 0,
                    "the chart is drawn");
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
    void plansAreShownWithTheirPreview() {
        String plan = createPlan(plan(unique("dash-plan"), "MANUAL", "PAUSE", seedSteps("PT2H")));
        signIn(Auth.newToken("viewer")[1]);
        open("#/plans");
        WebElement card = wait.until(presenceOfElementLocated(By.cssSelector(".plan[data-plan='" + plan + "']")));
        wait.until(d -> !card.findElements(By.cssSelector(".minimum")).isEmpty());
        assertEquals("PT12H", card.findElement(By.cssSelector(".minimum")).getText());
        assertTrue(!card.findElements(By.cssSelector(".warnings li[data-code='no-gates']")).isEmpty());
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
