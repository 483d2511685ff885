package dev.rollout.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through the machine's ChromeDriver (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code deploy/test} installs them). Both are named explicitly, so Selenium never
 * looks for or downloads a browser or a driver; the flags keep Chromium from calling out to the network.
 */
public final class Browser {

    /** The browser and driver; {@code -Drollout.test.chromium=...} and {@code -Drollout.test.chromedriver=...} to change them. */
    static final String CHROMIUM = System.getProperty("rollout.test.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("rollout.test.chromedriver", "/usr/bin/chromedriver");
    public static final Duration WAIT = Duration.ofSeconds(20);

    private Browser() {}

    /** A fresh browser with an empty profile of its own. */
    public static WebDriver start(int width, int height) {
        Path profile;
        try {
            profile = Files.createTempDirectory("rollout-chromium-");
        } catch (IOException e) {
            throw new IllegalStateException("no temporary directory for the browser profile", e);
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    public static WebDriverWait waitFor(WebDriver driver) {
        return new WebDriverWait(driver, WAIT);
    }

    public static Object script(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The page's console errors since the last call (warnings and errors), to explain a failure. */
    public static List<String> consoleProblems(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
    }
}
