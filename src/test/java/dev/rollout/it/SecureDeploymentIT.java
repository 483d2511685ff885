package dev.rollout.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.security.Secrets;
import dev.rollout.support.TestDatabase;

/**
 * The packaged service as an operator runs it: HTTPS only (a self-signed certificate made here), plain
 * HTTP refused, the bootstrap admin token read from a file, a small advance budget. Proves TLS works,
 * the rate limit answers 429 with Retry-After and changes nothing, and the console output holds no secret.
 */
class SecureDeploymentIT {

    static final Path DIR = Path.of("target", "it-secure");
    static final ObjectMapper JSON = new ObjectMapper();
    /** The writes budget per credential; the admin spends fewer than this on fixtures across the class. */
    static final int WRITES_PER_MINUTE = 6;
    static AppProcess app;
    static int httpsPort;
    static int httpPort;
    static String admin;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        // Hex only: a password with a leading "-J" would be taken by keytool's launcher as a JVM option.
        byte[] passwordBytes = new byte[10];
        new SecureRandom().nextBytes(passwordBytes);
        String storePassword = HexFormat.of().formatHex(passwordBytes);
        Path keyStore = DIR.resolve("server.p12");
        Files.deleteIfExists(keyStore);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "rollout", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", storePassword, "-keypass", storePassword)
                .redirectErrorStream(true).redirectOutput(DIR.resolve("keytool.log").toFile()).start();
        boolean ended = keytool.waitFor(180, TimeUnit.SECONDS);
        assertTrue(ended && keytool.exitValue() == 0, () -> "keytool made no certificate ("
                + (ended ? "exit " + keytool.exitValue() : "still running after 180 s") + "): "
                + readQuietly(DIR.resolve("keytool.log")));

        admin = Secrets.newToken();
        Path tokenFile = DIR.resolve("bootstrap-admin-token");
        Files.writeString(tokenFile, admin + "\n");
        httpsPort = freePort();
        httpPort = freePort();
        String checkout = Integer.toHexString(System.getProperty("user.dir", "").hashCode());
        TestDatabase.Location db = TestDatabase.fresh("rollout_it_secure_" + checkout);

        Map<String, String> env = new HashMap<>();
        env.put("ROLLOUT_DB_URL", db.jdbcUrl());
        env.put("ROLLOUT_DB_USER", db.user());
        env.put("ROLLOUT_DB_PASSWORD", db.password());
        env.put("ROLLOUT_BOOTSTRAP_ADMIN_TOKEN", null); // read from the file instead
        env.put("ROLLOUT_BOOTSTRAP_ADMIN_TOKEN_FILE", tokenFile.toAbsolutePath().toString());
        env.put("ROLLOUT_RATE_LIMIT_ADVANCE_PER_MINUTE", "3");
        env.put("ROLLOUT_RATE_LIMIT_WRITES_PER_MINUTE", Integer.toString(WRITES_PER_MINUTE));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(httpsPort));
        env.put("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
        env.put("QUARKUS_TLS_KEY_STORE_P12_PATH", keyStore.toAbsolutePath().toString());
        env.put("QUARKUS_TLS_KEY_STORE_P12_PASSWORD", storePassword);
        app = AppProcess.launchWithoutWaiting("secure-deployment", env);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trust.load(in, storePassword.toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertTrue(app.isAlive(), () -> "the service exited: " + app.logText());
            try {
                return send("GET", "/q/health/ready", null, null).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void servesTlsAndRefusesPlainHttp() throws Exception {
        assertEquals(401, send("GET", "/api/v1/plans", null, null).statusCode());
        assertEquals(200, send("GET", "/api/v1/plans", admin, null).statusCode());
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(ConnectException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/q/health")).build(), HttpResponse.BodyHandlers.ofString()),
                "nothing listens for plain HTTP");
        boolean plainToTlsPortAnswered;
        try {
            HttpResponse<String> response = plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpsPort + "/api/v1/plans")).header("Authorization", "Bearer " + admin)
                    .build(), HttpResponse.BodyHandlers.ofString());
            plainToTlsPortAnswered = response.statusCode() == 200;
        } catch (IOException e) {
            plainToTlsPortAnswered = false;
        }
        assertFalse(plainToTlsPortAnswered, "plain HTTP to the TLS port gets no API answer");
    }

    @Test
    void advanceIsRateLimitedPerTokenAndARefusalChangesNothing() throws Exception {
        String name = "it-deployer-" + System.nanoTime();
        String deployer = JSON.readTree(send("POST", "/api/v1/tokens", admin,
                Map.of("name", name, "role", "deployer")).body()).get("token").asText();
        String plan = "it-plan-" + System.nanoTime();
        assertEquals(201, send("POST", "/api/v1/plans", admin, Map.of("name", plan, "mode", "MANUAL",
                "onViolation", "PAUSE", "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"),
                        Map.of("percentage", 100, "minDwell", "PT0S")))).statusCode());
        String id = JSON.readTree(send("POST", "/api/v1/rollouts", admin,
                Map.of("plan", plan, "target", "it-target-" + System.nanoTime(), "version", "v1")).body())
                .get("id").asText();
        String advance = "/api/v1/rollouts/" + id + "/advance";
        assertEquals(200, send("POST", advance, deployer, null).statusCode());
        assertEquals(409, send("POST", advance, deployer, null).statusCode());
        assertEquals(409, send("POST", advance, deployer, null).statusCode());
        String historyBefore = send("GET", "/api/v1/rollouts/" + id + "/history", admin, null).body();
        HttpResponse<String> limited = send("POST", advance, deployer, null);
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(limited.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "3 per minute: the next call within 20 s");
        JsonNode problem = JSON.readTree(limited.body());
        assertEquals("/problems/rate-limited", problem.get("type").asText());
        assertEquals(historyBefore, send("GET", "/api/v1/rollouts/" + id + "/history", admin, null).body());
        // another credential has its own budget
        assertEquals(409, send("POST", advance, admin, null).statusCode());

        String console = app.logText();
        for (String secret : List.of(admin, deployer)) {
            assertFalse(console.contains(secret) || console.contains(secret.substring(0, 8))
                    || console.contains(secret.substring(3, 11)), "no token in the service's output");
        }
        assertTrue(console.contains("bootstrap admin token 'bootstrap-admin'"), "the output was captured");
    }

    @Test
    void writesAreRateLimitedPerTokenAndARefusalChangesNothing() throws Exception {
        String name = "it-operator-" + System.nanoTime();
        String operator = JSON.readTree(send("POST", "/api/v1/tokens", admin,
                Map.of("name", name, "role", "operator")).body()).get("token").asText();
        String plan = "it-writes-plan-" + System.nanoTime();
        // the operator's budget: a plan, a rollout, then pause/resume until it is spent
        assertEquals(201, send("POST", "/api/v1/plans", operator, Map.of("name", plan, "mode", "MANUAL",
                "onViolation", "PAUSE", "steps", List.of(Map.of("percentage", 50, "minDwell", "PT1H"),
                        Map.of("percentage", 100, "minDwell", "PT0S")))).statusCode());
        String id = JSON.readTree(send("POST", "/api/v1/rollouts", operator,
                Map.of("plan", plan, "target", "it-writes-target-" + System.nanoTime(), "version", "v1")).body())
                .get("id").asText();
        String state = "PROGRESSING";
        for (int write = 3; write <= WRITES_PER_MINUTE; write++) {
            String command = state.equals("PROGRESSING") ? "pause" : "resume";
            HttpResponse<String> done = send("POST", "/api/v1/rollouts/" + id + "/" + command, operator,
                    Map.of("reason", "budget drill " + write));
            assertEquals(200, done.statusCode(), done.body());
            state = JSON.readTree(done.body()).get("state").asText();
        }
        String historyBefore = send("GET", "/api/v1/rollouts/" + id + "/history", admin, null).body();
        String command = state.equals("PROGRESSING") ? "pause" : "resume";
        HttpResponse<String> limited = send("POST", "/api/v1/rollouts/" + id + "/" + command, operator,
                Map.of("reason", "one too many"));
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(limited.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        long refill = 60 / WRITES_PER_MINUTE;
        assertTrue(retryAfter >= 1 && retryAfter <= refill, "next write within " + refill + " s, told " + retryAfter);
        assertEquals("/problems/rate-limited", JSON.readTree(limited.body()).get("type").asText());
        assertEquals(historyBefore, send("GET", "/api/v1/rollouts/" + id + "/history", admin, null).body());
        JsonNode rollout = JSON.readTree(send("GET", "/api/v1/rollouts/" + id, admin, null).body());
        assertEquals(state, rollout.get("state").asText(), "the refused write changed nothing");
        // reads are not writes, and another credential has its own budget
        assertEquals(200, send("GET", "/api/v1/rollouts/" + id, operator, null).statusCode());
        assertEquals(200, send("POST", "/api/v1/rollouts/" + id + "/" + command, admin,
                Map.of("reason", "the admin's own budget")).statusCode());
    }

    static HttpResponse<String> send(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
