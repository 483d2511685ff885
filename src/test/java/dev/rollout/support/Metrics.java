package dev.rollout.support;

import static io.restassured.RestAssured.given;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.response.Response;

/**
 * The application's /q/metrics, which is served on the management interface only (a free port in tests),
 * never on the API port.
 */
public final class Metrics {

    private Metrics() {
    }

    /** The management interface's base URL, e.g. {@code http://localhost:41234}. */
    public static String managementBase() {
        java.net.URI url = java.net.URI.create(ConfigProvider.getConfig().getValue("test.management.url", String.class));
        return url.getScheme() + "://" + url.getHost() + ":" + url.getPort();
    }

    /** The management interface's port. */
    public static int managementPort() {
        return java.net.URI.create(managementBase()).getPort();
    }

    /** GET /q/metrics on the management interface. */
    public static Response scrape() {
        return given().get(managementBase() + "/q/metrics");
    }
}
