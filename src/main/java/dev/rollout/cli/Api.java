package dev.rollout.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The controller's HTTP API as rolloutctl uses it: {@code ROLLOUT_URL} and {@code ROLLOUT_TOKEN}, JSON in and
 * out, problem+json refusals as {@link Refused}, transport failures as {@link Failure}. The token goes only in
 * the {@code Authorization} header, only to {@code ROLLOUT_URL}'s origin (a {@code Link} to elsewhere is not
 * followed, redirects never are), and appears in no message.
 */
final class Api {

    static final String PREFIX = "/api/v1";
    static final String DEFAULT_URL = "http://localhost:8080";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Bulk commands over tens of thousands of rollouts take about a minute (docs/operations.md). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]{1,4096}");
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final URI origin;
    private final String basePath;
    private final String token;
    private final HttpClient http;
    private final ObjectMapper json;
    /** The server's clock as last seen (its Date header), and our monotonic time then. */
    private volatile Instant serverTime;
    private volatile long serverTimeSeenAt;

    private Api(URI origin, String basePath, String token, ObjectMapper json) {
        this.origin = origin;
        this.basePath = basePath;
        this.token = token;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The API named by the environment; a usage error when the URL or token is missing or malformed. */
    static Api fromEnvironment(Map<String, String> env, ObjectMapper json) throws Args.UsageException {
        String url = env.getOrDefault("ROLLOUT_URL", "");
        if (url.isBlank()) {
            url = DEFAULT_URL;
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new Args.UsageException("ROLLOUT_URL is not a URL");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new Args.UsageException("ROLLOUT_URL must be an http:// or https:// URL, such as " + DEFAULT_URL);
        }
        if (uri.getRawUserInfo() != null) {
            throw new Args.UsageException("ROLLOUT_URL must not carry credentials: put the token in ROLLOUT_TOKEN");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Args.UsageException("ROLLOUT_URL must be the service's address, with no query or fragment");
        }
        String token = env.get("ROLLOUT_TOKEN");
        if (token == null || token.isEmpty()) {
            throw new Args.UsageException("ROLLOUT_TOKEN is not set: export the API token to use (see README.md)");
        }
        if (!TOKEN.matcher(token).matches()) {
            // Never echo it: say only what is wrong with it.
            throw new Args.UsageException("ROLLOUT_TOKEN holds spaces or characters no API token has");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        // Both the service's address and its API root are accepted.
        if (path.endsWith(PREFIX)) {
            path = path.substring(0, path.length() - PREFIX.length());
        }
        URI origin = URI.create(uri.getScheme().toLowerCase() + "://" + uri.getRawAuthority());
        return new Api(origin, path, token, json);
    }

    /** The service as shown in messages: its address, which never holds a credential. */
    String address() {
        return origin + basePath;
    }

    /** A path segment made safe for a URL: a name or id can never reach another resource. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** An answer: 2xx only; everything else is thrown as {@link Refused}. */
    record Answer(int status, HttpHeaders headers, JsonNode body) {
    }

    Answer get(String path) throws Refused, Failure {
        return send(request(path, REQUEST_TIMEOUT).GET(), path);
    }

    Answer post(String path, JsonNode body, Map<String, String> headers, Duration timeout) throws Refused, Failure {
        HttpRequest.Builder request = request(path, timeout);
        headers.forEach(request::header);
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return send(request, path);
    }

    Answer post(String path, JsonNode body) throws Refused, Failure {
        return post(path, body, Map.of(), REQUEST_TIMEOUT);
    }

    /** DELETE, with a JSON body when there is one (lifting a freeze takes a reason). */
    Answer delete(String path, JsonNode body) throws Refused, Failure {
        HttpRequest.Builder request = request(path, REQUEST_TIMEOUT);
        if (body == null) {
            request.DELETE();
        } else {
            request.header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return send(request, path);
    }

    /** Every item of a paged list, following its {@code Link: rel="next"} to the end. */
    List<JsonNode> getAll(String path) throws Refused, Failure {
        List<JsonNode> items = new ArrayList<>();
        String next = path;
        while (next != null) {
            Answer page = get(next);
            if (page.body() == null || !page.body().isArray()) {
                throw new Failure(ExitCodes.OTHER, "GET " + path + ": the answer is not a JSON array");
            }
            page.body().forEach(items::add);
            next = nextPage(page.headers());
        }
        return items;
    }

    /** The next page's path from a {@code Link} header, or null; a link to another origin is not followed. */
    String nextPage(HttpHeaders headers) throws Failure {
        for (String link : headers.allValues("Link")) {
            Matcher m = NEXT.matcher(link);
            if (m.find()) {
                URI target = URI.create(m.group(1));
                if (target.isAbsolute()) {
                    if (!(target.getScheme() + "://" + target.getRawAuthority()).equalsIgnoreCase(origin.toString())) {
                        throw new Failure(ExitCodes.OTHER, "the next page is on another server; not following it "
                                + "with this token");
                    }
                    target = URI.create(target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
                }
                String relative = target.toString();
                // The API's links are paths from the server's root; behind a proxy the root may lack our prefix.
                if (!basePath.isEmpty() && relative.startsWith(basePath + PREFIX + "/")) {
                    return relative.substring(basePath.length() + PREFIX.length());
                }
                if (relative.startsWith(PREFIX + "/")) {
                    return relative.substring(PREFIX.length());
                }
                throw new Failure(ExitCodes.OTHER, "cannot follow the next page's link: " + Table.cell(relative));
            }
        }
        return null;
    }

    /** An open event stream ({@code text/event-stream}), or empty when the server has none at {@code path}. */
    Optional<EventStream> stream(String path, String lastEventId) throws Refused, Failure {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").header("User-Agent", "rolloutctl").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e, "GET " + path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ExitCodes.OTHER, "interrupted");
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() == 200 && type.startsWith("text/event-stream")) {
            return Optional.of(new EventStream(response.body()));
        }
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        int status = response.statusCode();
        // No stream on this server (it predates them), or no more streams for now: the caller reads the history.
        if (status == 404 || status == 405 || status == 406 || status == 429 || status == 200) {
            return Optional.empty();
        }
        throw refused(status, response.headers(), parse(text));
    }

    /**
     * Server-sent events, read one at a time; comments (keep-alives) skipped. A stream that says nothing, not
     * even a keep-alive, for {@code silence} is taken for dead (a connection dropped without a close): its
     * reader is interrupted and {@link #next} fails, so the caller reconnects.
     */
    static final class EventStream implements AutoCloseable {
        /** Three keep-alives missed (the server sends one at least every 15 s). */
        static final Duration SILENCE = Duration.ofSeconds(45);

        private final InputStream in;
        private final BufferedReader reader;
        private final Duration silence;
        private final Thread readerThread = Thread.currentThread();
        private volatile long lastHeard = System.nanoTime();
        private volatile boolean closed;
        private volatile boolean silent;

        EventStream(InputStream in) {
            this(in, SILENCE);
        }

        EventStream(InputStream in, Duration silence) {
            this.in = in;
            this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            this.silence = silence;
            Thread watchdog = new Thread(this::watch, "rolloutctl-stream-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        private void watch() {
            long step = Math.max(10, silence.toMillis() / 5);
            while (!closed) {
                try {
                    Thread.sleep(step);
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed && System.nanoTime() - lastHeard > silence.toNanos()) {
                    silent = true;
                    readerThread.interrupt();
                    return;
                }
            }
        }

        /** The next event, or null when the server closed the stream; an IOException when it went silent. */
        Event next() throws IOException {
            try {
                return read();
            } catch (IOException e) {
                if (silent) {
                    Thread.interrupted(); // the watchdog's doing: the caller goes on to reconnect
                    throw new IOException("nothing heard for " + silence.toSeconds() + " s");
                }
                throw e;
            }
        }

        private Event read() throws IOException {
            String id = null;
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = reader.readLine()) != null) {
                lastHeard = System.nanoTime();
                if (line.isEmpty()) {
                    if (data != null) {
                        return new Event(id, name, data.toString());
                    }
                    id = null;
                    name = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> {
                        // retry and unknown fields: nothing to do
                    }
                }
            }
            return null;
        }

        @Override
        public void close() {
            closed = true;
            if (silent) {
                Thread.interrupted();
            }
            try {
                in.close();
            } catch (IOException e) {
                // closing a finished stream
            }
        }
    }

    record Event(String id, String name, String data) {
    }

    /** The server's time now, from its last {@code Date} header; ours when it sent none. */
    Instant now() {
        Instant seen = serverTime;
        if (seen == null) {
            return Instant.now();
        }
        return seen.plusNanos(System.nanoTime() - serverTimeSeenAt);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json").header("User-Agent", "rolloutctl");
    }

    private URI uri(String path) {
        return URI.create(origin + basePath + PREFIX + path);
    }

    private Answer send(HttpRequest.Builder request, String path) throws Refused, Failure {
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(e, built.method() + " " + path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ExitCodes.OTHER, "interrupted");
        }
        noteDate(response.headers());
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 == 2) {
            return new Answer(response.statusCode(), response.headers(), body);
        }
        throw refused(response.statusCode(), response.headers(), body);
    }

    private void noteDate(HttpHeaders headers) {
        headers.firstValue("Date").ifPresent(date -> {
            try {
                serverTime = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                serverTimeSeenAt = System.nanoTime();
            } catch (DateTimeParseException e) {
                // keep our own clock
            }
        });
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Refused refused(int status, HttpHeaders headers, JsonNode body) {
        String type = body != null && body.hasNonNull("type") ? ExitCodes.typeName(body.get("type").asText()) : "";
        Duration retryAfter = headers.firstValue("Retry-After").flatMap(Api::seconds).orElse(null);
        return new Refused(status, type, body, retryAfter);
    }

    private static Optional<Duration> seconds(String text) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Failure unreachable(IOException e, String what) {
        String why;
        if (e instanceof HttpConnectTimeoutException) {
            why = "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer in time";
        } else if (e instanceof ConnectException) {
            why = e.getCause() instanceof java.nio.channels.UnresolvedAddressException ? "unknown host"
                    : "connection refused";
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new Failure(ExitCodes.OTHER, "cannot reach " + address() + " (" + what + "): " + why);
    }

    /** An API answer other than 2xx: its status, problem type and body ({@code null} when not JSON). */
    static final class Refused extends Exception {
        final int status;
        final String type;
        final JsonNode problem;
        final Duration retryAfter;

        Refused(int status, String type, JsonNode problem, Duration retryAfter) {
            super(status + " " + type, null, false, false);
            this.status = status;
            this.type = type;
            this.problem = problem;
            this.retryAfter = retryAfter;
        }

        int exitCode() {
            return ExitCodes.forProblem(status, type);
        }
    }

    /** A failure that is no answer of the API (unreachable, interrupted, an unreadable answer), with its exit code. */
    static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }
}
