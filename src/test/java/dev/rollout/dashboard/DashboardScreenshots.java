package dev.rollout.dashboard;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.step;
import static io.restassured.RestAssured.given;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import dev.rollout.support.Browser;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.TestClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Takes the dashboard screenshots shown in README.md (docs/dashboard-*.png) from a small fleet made up
 * here, its history spread over hours by moving the test clock. Runs only when asked:
 * {@code ./mvnw test -Dtest=DashboardScreenshots -Ddashboard.screenshots=docs} (the directory to write to).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "dashboard.screenshots", matches = ".+")
class DashboardScreenshots {

    @TestHTTPResource("/")
    URL root;

    @Inject
    TestClock clock;

    @Test
    void takeThem() throws IOException {
        Path out = Path.of(System.getProperty("dashboard.screenshots"));
        Files.createDirectories(out);
        String operator = Auth.createToken("release-eng", "operator");
        String gated = createPlan(gatedPlan("phase_4_deployment", "PT2H"));
        String quick = createPlan(gatedPlan("hotfix", "PT0S"));
        String shown;
        try {
            shown = fleet(gated, quick, operator);
        } finally {
            clock.reset();
        }

        WebDriver browser = Browser.start(1280, 760);
        try {
            WebDriverWait wait = Browser.waitFor(browser);
            browser.get(root.toString());
            wait.until(visibilityOfElementLocated(By.id("token"))).sendKeys(operator);
            browser.findElement(By.id("signin-submit")).click();
            Browser.script(browser, "location.hash = '#/rollouts?target=shop-*'");
            wait.until(d -> d.findElements(By.cssSelector("#rollouts tbody tr")).size() == 5);
            save(browser, out.resolve("dashboard-rollouts.png"));

            browser.manage().window().setSize(new Dimension(1280, 1500));
            Browser.script(browser, "location.hash = arguments[0]", "#/rollouts/" + shown);
            wait.until(attributeToBe(By.id("main"), "data-loaded", "true"));
            wait.until(presenceOfElementLocated(By.cssSelector("#gates tr[data-gate]")));
            wait.until(presenceOfElementLocated(By.cssSelector("#timeline-chart canvas")));
            save(browser, out.resolve("dashboard-rollout.png"));

            browser.manage().window().setSize(new Dimension(1280, 900));
            Browser.script(browser, "location.hash = '#/plans'");
            wait.until(presenceOfElementLocated(By.cssSelector(".plan .minimum")));
            save(browser, out.resolve("dashboard-plans.png"));
        } finally {
            browser.quit();
        }
    }

    /** Five rollouts in every state; answers the id of the one with the richest history. */
    private String fleet(String gated, String quick, String operator) {
        String checkout = Api.startRollout(gated, "shop-checkout-api");
        String payments = Api.startRollout(gated, "shop-payments");
        String search = Api.startRollout(quick, "shop-search");
        String catalog = Api.startRollout(gated, "shop-catalog");
        advance(checkout);
        advance(payments);
        advance(catalog);
        for (int i = 0; i < 6; i++) {
            advance(search);
        }
        later(Duration.ofMinutes(125));
        advance(checkout);
        advance(payments);
        later(Duration.ofMinutes(35));
        Api.advance(checkout).then().statusCode(409); // too early: a refusal on the timeline
        Api.command(catalog, "rollback", "p99 latency doubled in eu-west").then().statusCode(200);
        later(Duration.ofMinutes(95));
        advance(checkout);
        advance(payments);
        later(Duration.ofMinutes(40));
        Auth.as(operator).contentType(ContentType.JSON).body(Map.of("reason", "error budget burn on eu-west"))
                .post("/api/v1/rollouts/" + checkout + "/pause").then().statusCode(200);
        Auth.as(operator).contentType(ContentType.JSON).body(Map.of("reason", "card issuer incident"))
                .post("/api/v1/rollouts/" + payments + "/pause").then().statusCode(200);
        later(Duration.ofMinutes(70));
        Auth.as(operator).contentType(ContentType.JSON).body(Map.of("reason", "error budget recovered"))
                .post("/api/v1/rollouts/" + checkout + "/resume").then().statusCode(200);
        later(Duration.ofMinutes(30));
        given().contentType(ContentType.JSON).body(Map.of("override", true, "reason", "fix verified in staging"))
                .post("/api/v1/rollouts/" + checkout + "/advance").then().statusCode(200);
        later(Duration.ofMinutes(130));
        advance(checkout);
        Api.startRollout(gated, "shop-cart");
        return checkout;
    }

    private void later(Duration by) {
        clock.advance(by);
    }

    private static void advance(String id) {
        Api.advance(id).then().statusCode(200);
    }

    private static Map<String, Object> gatedPlan(String name, String dwell) {
        String job = MonitoringResource.JOB;
        return Map.of("name", name, "mode", "MANUAL", "onViolation", "PAUSE",
                "steps", List.of(step(5, dwell), step(10, dwell), step(25, dwell), step(50, dwell), step(75, dwell),
                        step(100, dwell)),
                "gates", List.of(
                        Map.of("name", "orchestrator-up", "kind", "target-up", "query", "up{job=\"" + job + "\"}"),
                        Map.of("name", "app-metrics", "kind", "metrics-present",
                                "metrics", List.of("genesis_operation_duration_seconds_count", "genesis_tests_total_total")),
                        Map.of("name", "no-alerts", "kind", "no-firing-alerts",
                                "matchers", List.of("severity=~\"warning|critical\""))));
    }

    private static void save(WebDriver browser, Path file) throws IOException {
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
