package dev.rollout.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Throws generated hostile input at the running API: mutated and random plans, bodies, ids, query
 * parameters and headers. Every answer must be below 500, every refusal problem+json, and a refusal
 * must change nothing (plans, tokens, rollouts and their history, compared in the database before and
 * after each refused request). The generator is seeded: {@code -Dfuzz.seed=N} replays a run and
 * {@code -Dfuzz.inputs=N} sets how many inputs each test generates.
 */
@QuarkusTest
class HostileInputTest {

    static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
    static final int INPUTS = Integer.getInteger("fuzz.inputs", 750);
    static final Map<String, Integer> TRIED = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;

    private final Set<String> ownRollouts = ConcurrentHashMap.newKeySet();
    private String planName;
    private String rolloutId;

    @BeforeAll
    static void announceTheSeed() {
        System.out.println("hostile inputs from seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + ")");
    }

    @AfterAll
    static void report() throws Exception {
        int total = TRIED.values().stream().mapToInt(Integer::intValue).sum();
        String summary = "hostile inputs tried: " + total + " " + new TreeMap<>(TRIED) + ", seed " + SEED;
        System.out.println(summary);
        Files.writeString(Path.of("target", "hostile-input-summary.txt"), summary + "\n");
    }

    // ---- the properties -----------------------------------------------------------------------

    @Test
    void mutatedAndRandomPlans() {
        Random random = new Random(SEED);
        run("plans", random, () -> {
            RequestSpecification request = given().contentType(ContentType.JSON).body(Gen.planBody(random));
            return request.post("/api/v1/plans");
        });
    }

    @Test
    void randomStartsAndCommands() {
        Random random = new Random(SEED + 1);
        freshRollout();
        run("commands", random, () -> {
            int pick = random.nextInt(7);
            if (pick == 0) {
                Object body = random.nextBoolean()
                        ? Map.of("plan", random.nextInt(3) == 0 ? planName : Gen.string(random, 120),
                                "target", Gen.string(random, 150), "version", Gen.string(random, 150))
                        : Gen.mutate(random, Gen.jsonText(Map.of("plan", planName, "target", "t", "version", "v1")));
                return given().contentType(ContentType.JSON).body(body).post("/api/v1/rollouts");
            }
            String command = List.of("advance", "pause", "resume", "rollback", "abort", "advance").get(pick - 1);
            String id = random.nextInt(5) == 0 ? Gen.id(random) : rolloutId;
            RequestSpecification request = given();
            if (random.nextInt(3) > 0) {
                request = request.header("Idempotency-Key", Gen.headerValue(random, 300));
            }
            if (random.nextInt(4) > 0) {
                request = request.contentType(ContentType.JSON).body(Gen.commandBody(random));
            }
            return request.post("/api/v1/rollouts/" + Gen.pathSegment(id) + "/" + command);
        });
    }

    @Test
    void randomIdsPathsAndQueries() {
        Random random = new Random(SEED + 2);
        run("ids", random, () -> {
            String id = Gen.pathSegment(Gen.id(random));
            return switch (random.nextInt(8)) {
                case 0 -> given().get("/api/v1/rollouts/" + id);
                case 1 -> given().get("/api/v1/rollouts/" + id + "/history");
                case 2 -> given().get("/api/v1/rollouts/" + id + "/deployment-state");
                case 3 -> given().get("/api/v1/plans/" + id + (random.nextBoolean() ? "" : "/versions"));
                case 4 -> given().urlEncodingEnabled(true).queryParam("version", Gen.string(random, 30))
                        .get("/api/v1/plans/" + id);
                case 5 -> given().urlEncodingEnabled(true).queryParam("state", Gen.string(random, 40))
                        .queryParam("limit", Gen.number(random)).get("/api/v1/rollouts");
                case 6 -> given().delete("/api/v1/tokens/" + id);
                default -> given().get("/api/v1/" + id);
            };
        });
    }

    @Test
    void randomHeadersAndTokenRequests() {
        Random random = new Random(SEED + 3);
        freshRollout();
        run("headers", random, () -> switch (random.nextInt(5)) {
            case 0 -> given().header("Authorization", Gen.authorization(random)).get("/api/v1/plans");
            case 1 -> given().header("Authorization", Gen.authorization(random)).contentType(ContentType.JSON)
                    .post("/api/v1/rollouts/" + rolloutId + "/advance");
            case 2 -> given().header("Content-Type", Gen.headerValue(random, 80))
                    .body(Gen.jsonText(Api.plan(Api.unique("ct"), "MANUAL", "PAUSE", Api.seedSteps("PT1H"))))
                    .post("/api/v1/plans");
            case 3 -> given().header("Accept", Gen.headerValue(random, 80)).get("/api/v1/rollouts/" + rolloutId);
            default -> given().contentType(ContentType.JSON).body(Gen.tokenBody(random)).post("/api/v1/tokens");
        });
    }

    @Test
    void oversizedBodiesAreRefusedWith413() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(300 * 1024) + "\"}";
        given().contentType(ContentType.JSON).body(big).post("/api/v1/plans").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("/problems/payload-too-large"));
        // without a Content-Length (chunked), the limit applies while the body is read
        assertEquals(413, chunkedPostStatus("/api/v1/plans", big.getBytes(StandardCharsets.UTF_8)));
        given().get("/api/v1/plans").then().statusCode(200); // and the service is still there
        TRIED.merge("oversized", 2, Integer::sum);
    }

    /**
     * Sends a chunked POST over a plain socket and returns the answer's status code. The server may answer
     * and close before the whole body is sent; a failed write then only stops the sending, and the answer
     * already on its way is still read: a missing answer fails the test, it is never taken as a refusal.
     */
    private static int chunkedPostStatus(String path, byte[] body) throws IOException {
        URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: Bearer " + Auth.bootstrapToken()
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            try {
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                for (int offset = 0; offset < body.length; offset += 8192) {
                    int length = Math.min(8192, body.length - offset);
                    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, offset, length);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closedWhileSending) {
                // the server answered before reading the whole body; its answer is read below
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String statusLine = in.readLine();
            assertTrue(statusLine != null && statusLine.startsWith("HTTP/1.1 "), "no HTTP answer: " + statusLine);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    // ---- the harness ------------------------------------------------------------------------

    private void freshRollout() {
        planName = Api.createPlan(Api.plan(Api.unique("fuzz-plan"), "MANUAL", "PAUSE", Api.seedSteps("PT24H")));
        rolloutId = Api.startRollout(planName, Api.unique("fuzz-target"));
        ownRollouts.add(rolloutId);
        Api.advance(rolloutId).then().statusCode(200);
    }

    private void run(String category, Random random, Supplier<Response> input) {
        String before = digest();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < INPUTS; i++) {
            Response response;
            try {
                response = input.get();
            } catch (IllegalArgumentException e) {
                continue; // the HTTP client itself refused to send it (e.g. an illegal header character)
            }
            int status = response.statusCode();
            statuses.merge(status, 1, Integer::sum);
            TRIED.merge(category, 1, Integer::sum);
            if (status >= 500) {
                fail(category + " input " + i + " (seed " + SEED + ") answered " + status + ": " + response.asString());
            }
            if (status >= 400) {
                String contentType = String.valueOf(response.contentType());
                // 414 and 431 come from the HTTP layer itself (request line or headers too long), without a body
                assertTrue(contentType.startsWith("application/problem+json") || status == 414 || status == 431,
                        category + " input " + i + " (seed " + SEED + "): " + status + " answered as " + contentType);
                String after = digest();
                assertEquals(before, after, category + " input " + i + " (seed " + SEED + ") was refused with "
                        + status + " but changed state: " + response.asString());
            } else {
                before = digest();
            }
            if (rolloutId != null && category.equals("commands") && i % 50 == 49) {
                String state = Api.get(rolloutId).then().extract().path("state");
                if (!"PROGRESSING".equals(state) && !"PAUSED".equals(state)) {
                    freshRollout();
                    before = digest();
                }
            }
        }
        System.out.println(category + ": " + statuses);
    }

    /**
     * What a refusal must not change: every plan and token, the number of rollouts and of history
     * events other than recorded refusals, and this test's own rollouts with their history. (Other
     * tests' rollouts may still be moved by the controller's own job meanwhile.)
     */
    private String digest() {
        String own = ownRollouts.isEmpty() ? "''" : "'" + String.join("','", ownRollouts) + "'";
        String sql = "select (select count(*) || md5(coalesce(string_agg(name || '/' || version || '/' || created_by, ',' order by id), '')) from plan)"
                + " || '|' || (select count(*) || md5(coalesce(string_agg(name || role || coalesce(revoked_at::text, '') || coalesce(expires_at::text, ''), ',' order by name), '')) from api_token)"
                + " || '|' || (select count(*) from rollout)"
                + " || '|' || (select md5(coalesce(string_agg(id::text || state || step_index || current_percentage || row_version, ',' order by id), '')) from rollout where id::text in (" + own + "))"
                + " || '|' || (select count(*) from deployment_state where action <> 'advance_refused' and actor <> 'controller')"
                + " || '|' || (select md5(coalesce(string_agg(seq || action || actor || coalesce(reason, ''), ',' order by seq), '')) from deployment_state where action <> 'advance_refused' and rollout_id::text in (" + own + "))";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the generators ---------------------------------------------------------------------

    /** Seeded generators of hostile values. */
    static final class Gen {

        static final String[] NASTY = { "", " ", "null", "0", "-1", "1e309", "NaN", "Infinity", "true", "[]", "{}",
                "'; drop table plan; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "\u0000", "\r\n",
                "\u202e", "\ud83d\ude80", "\u00e9t\u00e9", "PT-1H", "P1000000D", "PT0.0000001S", "P1Y", "PT24H",
                "P7D", "PT0S", "MANUAL", "AUTOMATIC", "PAUSE", "ROLLBACK", "admin", "viewer", "rt_", "Bearer",
                "${jndi:ldap://127.0.0.1/a}", "a".repeat(101), "a".repeat(5000) };

        static String string(Random r, int maxLength) {
            if (r.nextInt(3) == 0) {
                return NASTY[r.nextInt(NASTY.length)];
            }
            int length = r.nextInt(maxLength + 1);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append(switch (r.nextInt(6)) {
                    case 0 -> (char) r.nextInt(0x20);
                    case 1 -> (char) (0x80 + r.nextInt(0x780));
                    case 2 -> "._-/\\\"'{}[]:, ".charAt(r.nextInt(14));
                    default -> (char) ('a' + r.nextInt(26));
                });
            }
            return s.toString();
        }

        static Object number(Random r) {
            return switch (r.nextInt(8)) {
                case 0 -> r.nextInt();
                case 1 -> r.nextLong();
                case 2 -> r.nextDouble() * 200 - 50;
                case 3 -> new java.math.BigInteger(200, r);
                case 4 -> 0;
                case 5 -> -r.nextInt(1000);
                case 6 -> Double.MAX_VALUE;
                default -> r.nextInt(101);
            };
        }

        static Object value(Random r, int depth) {
            return switch (depth > 3 ? r.nextInt(4) : r.nextInt(7)) {
                case 0 -> string(r, 40);
                case 1 -> number(r);
                case 2 -> r.nextBoolean();
                case 3 -> null;
                case 4 -> {
                    List<Object> list = new ArrayList<>();
                    for (int i = r.nextInt(5); i > 0; i--) {
                        list.add(value(r, depth + 1));
                    }
                    yield list;
                }
                default -> {
                    Map<String, Object> map = new java.util.LinkedHashMap<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        map.put(string(r, 10), value(r, depth + 1));
                    }
                    yield map;
                }
            };
        }

        static String jsonText(Object value) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** A valid plan with random changes, or random JSON, or broken text. */
        static String planBody(Random r) {
            Map<String, Object> plan = new java.util.LinkedHashMap<>(Api.plan("fuzz-" + r.nextInt(1_000_000),
                    "MANUAL", "PAUSE", Api.seedSteps("PT1H")));
            plan.put("minTotalDuration", "PT6H");
            List<String> fields = List.of("name", "version", "mode", "onViolation", "minTotalDuration", "finalBake",
                    "steps", "gates", "unknown" + r.nextInt(5));
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                String field = fields.get(r.nextInt(fields.size()));
                switch (r.nextInt(5)) {
                    case 0 -> plan.remove(field);
                    case 1 -> plan.put(field, value(r, 0));
                    case 2 -> plan.put("steps", steps(r));
                    case 3 -> plan.put(field, string(r, 300));
                    default -> plan.put(field, number(r));
                }
            }
            String text = jsonText(plan);
            return r.nextInt(4) == 0 ? mutate(r, text) : text;
        }

        static List<Object> steps(Random r) {
            List<Object> steps = new ArrayList<>();
            for (int i = r.nextInt(r.nextInt(10) == 0 ? 150 : 8); i > 0; i--) {
                Map<String, Object> step = new java.util.LinkedHashMap<>();
                if (r.nextInt(8) > 0) {
                    step.put("percentage", r.nextInt(3) == 0 ? number(r) : r.nextInt(110));
                }
                if (r.nextInt(8) > 0) {
                    step.put("minDwell", r.nextInt(3) == 0 ? string(r, 20) : NASTY[r.nextInt(NASTY.length)]);
                }
                if (r.nextInt(10) == 0) {
                    step.put("skip", true);
                }
                steps.add(r.nextInt(15) == 0 ? value(r, 2) : step);
            }
            return steps;
        }

        /** Breaks JSON text: truncation, inserted bytes, duplicated keys, deep nesting. */
        static String mutate(Random r, String text) {
            return switch (r.nextInt(5)) {
                case 0 -> text.substring(0, r.nextInt(text.length() + 1));
                case 1 -> {
                    int at = r.nextInt(text.length() + 1);
                    yield text.substring(0, at) + string(r, 5) + text.substring(at);
                }
                case 2 -> text.startsWith("{") ? "{\"name\":\"dup\"," + text.substring(1) : text;
                case 3 -> "[".repeat(r.nextInt(3000)) + "]".repeat(r.nextInt(3000));
                default -> text + string(r, 5);
            };
        }

        static Object commandBody(Random r) {
            return switch (r.nextInt(5)) {
                case 0 -> Map.of("reason", string(r, 1200));
                case 1 -> {
                    Map<String, Object> body = new java.util.HashMap<>();
                    body.put("override", value(r, 2));
                    body.put("reason", value(r, 2));
                    yield body;
                }
                case 2 -> value(r, 0) == null ? "null" : jsonText(value(r, 0));
                case 3 -> mutate(r, "{\"reason\":\"because\"}");
                default -> Map.of("override", true, "reason", string(r, 1100));
            };
        }

        static Object tokenBody(Random r) {
            Map<String, Object> token = new java.util.LinkedHashMap<>();
            token.put("name", r.nextInt(3) == 0 ? "fuzz-" + r.nextInt(1_000_000) : string(r, 80));
            token.put("role", r.nextInt(3) == 0 ? "viewer" : string(r, 12));
            if (r.nextBoolean()) {
                token.put("expiresAt", r.nextBoolean() ? string(r, 40) : value(r, 2));
            }
            if (r.nextInt(5) == 0) {
                token.put("token", "rt_chosen-by-the-caller");
            }
            return r.nextInt(6) == 0 ? mutate(r, jsonText(token)) : token;
        }

        static String id(Random r) {
            return switch (r.nextInt(5)) {
                case 0 -> java.util.UUID.randomUUID().toString();
                case 1 -> java.util.UUID.randomUUID().toString().toUpperCase() + string(r, 3);
                case 2 -> string(r, 60);
                case 3 -> "a".repeat(r.nextInt(3000) + 1);
                default -> NASTY[r.nextInt(NASTY.length)];
            };
        }

        /** Percent-encodes everything but unreserved characters, so the id reaches the API as one segment. */
        static String pathSegment(String value) {
            StringBuilder s = new StringBuilder();
            for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                    s.append(c);
                } else {
                    s.append('%').append(String.format("%02X", b & 0xff));
                }
            }
            return s.isEmpty() ? "%20" : s.toString();
        }

        /** Visible ASCII, spaces and Latin-1: what an HTTP client will put in a header. */
        static String headerValue(Random r, int maxLength) {
            if (r.nextInt(4) == 0) {
                return NASTY[r.nextInt(NASTY.length)].replaceAll("[^\\x20-\\x7e]", "");
            }
            int length = r.nextInt(maxLength + 1);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                s.append(r.nextInt(20) == 0 ? (char) (0xa0 + r.nextInt(0x5f)) : (char) (0x21 + r.nextInt(0x5e)));
            }
            return s.toString();
        }

        static String authorization(Random r) {
            return switch (r.nextInt(6)) {
                case 0 -> "Bearer " + headerValue(r, 100);
                case 1 -> "Bearer rt_" + headerValue(r, 60);
                case 2 -> "Bearer eyJ" + headerValue(r, 40) + "." + headerValue(r, 40) + "." + headerValue(r, 40);
                case 3 -> "Basic " + headerValue(r, 40);
                case 4 -> "Bearer " + "A".repeat(r.nextInt(10_000));
                default -> headerValue(r, 50);
            };
        }
    }
}
