package dev.rollout.support;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Makes every RestAssured call in a @QuarkusTest authenticate as the bootstrap admin unless it says
 * otherwise: a call that sets its own {@code Authorization} header keeps it, and one made through
 * {@link Auth#anonymous()} is sent with none.
 */
public class DefaultCredentials implements Filter, QuarkusTestBeforeEachCallback {

    /** Marker header (never sent) asking for a request without credentials. */
    static final String NO_CREDENTIALS = "X-Test-No-Credentials";

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof DefaultCredentials)) {
            RestAssured.filters(new DefaultCredentials());
        }
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
            FilterContext context) {
        if (request.getHeaders().hasHeaderWithName(NO_CREDENTIALS)) {
            request.removeHeader(NO_CREDENTIALS);
        } else if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + Auth.bootstrapToken());
        }
        return context.next(request, response);
    }

    static String configValue(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }
}
