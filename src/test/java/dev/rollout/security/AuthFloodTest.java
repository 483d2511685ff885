package dev.rollout.security;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A flood of random bearer tokens, each of which the database would have to be asked about, while the
 * database answers slowly (here: the token table is locked, so every lookup holds its connection), and
 * meanwhile a gate turns bad: the watch still pauses the rollout in time, because unknown credentials
 * cost a bounded number of lookups and the watch keeps connections of its own.
 */
@QuarkusTest
@TestProfile(AuthFloodTest.Profile.class)
class AuthFloodTest {

    /** The budget for failed authentications, off in the other tests, on here as in production. */
    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rollout.rate-limit.failed-authentications-per-second", "10");
        }
    }

    private static final Map<String, Object> UP = Map.of("name", "orchestrator-up", "kind", "target-up",
            "query", "up{job=\"" + MonitoringResource.JOB + "\"}");

    @Inject
    RolloutWatch watch;

    @BeforeEach
    void holdWatch() {
        watch.hold();
    }

    @AfterEach
    void releaseWatch() {
        watch.release();
    }

    private static Connection database() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("rollout.db.url", String.class),
                config.getValue("rollout.db.user", String.class),
                config.getOptionalValue("rollout.db.password", String.class).orElse(""));
    }

    private static String state(Connection db, String id) throws SQLException {
        try (PreparedStatement select = db.prepareStatement("select state from rollout where id = ?")) {
            select.setObject(1, UUID.fromString(id));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    @Test
    void aFloodOfRandomTokensCannotStallThePauseOfARolloutWhoseGateTurnedBad() throws Exception {
        Map<String, Object> body = new HashMap<>(plan(unique("plan"), "MANUAL", "PAUSE", seedSteps("PT1H")));
        body.put("gates", List.of(UP));
        String id = startRollout(createPlan(body), unique("flooded"));
        Api.advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));

        AtomicBoolean flooding = new AtomicBoolean(true);
        Map<String, LongAdder> answers = new ConcurrentHashMap<>();
        int callers = 64;
        ExecutorService flood = Executors.newFixedThreadPool(callers);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/api/v1/rollouts");
        try (Connection lock = database(); Connection reader = database()) {
            // Every token lookup now waits, holding its pool connection, until the test ends.
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table api_token in access exclusive mode");
            }
            for (int i = 0; i < callers; i++) {
                flood.submit(() -> {
                    while (flooding.get()) {
                        String answer;
                        try {
                            answer = Integer.toString(http.send(HttpRequest.newBuilder(uri)
                                    .header("Authorization", "Bearer " + Secrets.newToken())
                                    .timeout(Duration.ofSeconds(2)).GET().build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode());
                        } catch (Exception e) {
                            answer = e.getClass().getSimpleName();
                        }
                        answers.computeIfAbsent(answer, k -> new LongAdder()).increment();
                    }
                });
            }
            // The flood is under way; then the orchestrator goes down.
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.values().stream().mapToLong(LongAdder::sum).sum()
                    >= callers);
            MonitoringResource.target().stop();
            try {
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                        .alias("paused while flooded; answers to the flood: " + answers)
                        .until(() -> {
                            watch.tick();
                            return "PAUSED".equals(state(reader, id));
                        });
            } finally {
                MonitoringResource.healthy(MonitoringResource.target());
                flooding.set(false);
                lock.rollback();
            }
        } finally {
            flooding.set(false);
            flood.shutdown();
            flood.awaitTermination(30, TimeUnit.SECONDS);
        }
        // The flood came from this test's own address: its budget for lookups refills within Retry-After.
        await().atMost(Duration.ofSeconds(10)).until(() -> io.restassured.RestAssured.given()
                .get("/api/v1/rollouts/" + id + "/history").statusCode() == 200);
        List<String> actions = Api.history(id).stream().map(e -> (String) e.get("action")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of("started", "step", "gate_violation", "paused"), actions);
    }
}
