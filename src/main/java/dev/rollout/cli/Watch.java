package dev.rollout.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.cli.Api.Failure;
import dev.rollout.cli.Api.Refused;

/**
 * {@code status --watch}: prints each new history event of a rollout as it happens, until the rollout
 * finishes (exit 0 when COMPLETED, 5 when ROLLED_BACK or ABORTED). It follows the rollout's event stream,
 * resuming after a dropped connection from the last event seen ({@code Last-Event-ID}); on a server without
 * streams it reads the history every {@code --interval} instead.
 */
final class Watch {

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** Consecutive failed reconnections after which the watch gives up. */
    private static final int MAX_RECONNECTS = 10;

    private final Api api;
    private final Output out;
    private final ObjectMapper json;

    Watch(Api api, Output out, ObjectMapper json) {
        this.api = api;
        this.out = out;
        this.json = json;
    }

    int follow(String id, String state, Duration interval) throws Refused, Failure {
        Integer finished = exitFor(state);
        if (finished != null) {
            return finished;
        }
        String path = Commands.rolloutPath(id);
        long lastSeq = lastSeq(path);
        int failures = 0;
        boolean announced = false;
        while (true) {
            java.util.Optional<Api.EventStream> opened;
            try {
                opened = api.stream(path + "/events", Long.toString(lastSeq));
            } catch (Failure f) {
                if (++failures > MAX_RECONNECTS) {
                    throw f;
                }
                Commands.sleep(Duration.ofSeconds(Math.min(10, failures)));
                continue;
            }
            if (opened.isEmpty()) {
                return poll(path, lastSeq, interval);
            }
            if (!announced && !out.json) {
                out.note("following the events of " + Table.cell(id) + " (Ctrl-C to stop)");
                announced = true;
            }
            failures = 0;
            try (Api.EventStream stream = opened.get()) {
                Api.Event event;
                while ((event = stream.next()) != null) {
                    JsonNode e = parse(event.data());
                    if (e == null || !e.has("seq")) {
                        continue;
                    }
                    lastSeq = Math.max(lastSeq, e.get("seq").asLong());
                    Integer done = show(e);
                    if (done != null) {
                        return done;
                    }
                }
            } catch (IOException e) {
                // the connection dropped: reconnect from the last event seen
            }
            Commands.sleep(Duration.ofSeconds(1));
        }
    }

    /** Reads the history after {@code lastSeq} every {@code interval} until the rollout finishes. */
    private int poll(String path, long lastSeq, Duration interval) throws Refused, Failure {
        if (!out.json) {
            out.note("following the history of " + path.substring(path.lastIndexOf('/') + 1) + " every "
                    + Durations.format(interval) + " (this server sends no event stream; Ctrl-C to stop)");
        }
        while (true) {
            Commands.sleep(interval);
            for (JsonNode e : api.getAll(path + "/history?after=" + lastSeq)) {
                lastSeq = Math.max(lastSeq, e.path("seq").asLong());
                Integer done = show(e);
                if (done != null) {
                    return done;
                }
            }
        }
    }

    /** Prints one event; the exit code when it finished the rollout, else null. */
    private Integer show(JsonNode e) {
        if (out.json) {
            out.json(e);
        } else {
            String reason = Output.text(e, "reason");
            String details = Commands.details(e.get("details"));
            out.line(Output.instant(Output.text(e, "at")) + "  #" + Output.text(e, "seq") + " "
                    + Output.text(e, "action") + " " + Output.percent(e.get("fromPercentage")) + " -> "
                    + Output.percent(e.get("toPercentage")) + " by " + Output.text(e, "actor")
                    + (reason == null ? "" : ": " + reason) + (details.isEmpty() ? "" : " [" + details + "]"));
        }
        out.out.flush();
        String action = e.path("action").asText();
        return switch (action) {
            case "completed" -> ExitCodes.DONE;
            case "rolled_back", "aborted" -> ExitCodes.NOT_PROGRESSING;
            default -> null;
        };
    }

    private long lastSeq(String path) throws Refused, Failure {
        List<JsonNode> events = api.getAll(path + "/history");
        return events.isEmpty() ? 0 : events.get(events.size() - 1).path("seq").asLong();
    }

    private JsonNode parse(String data) {
        try {
            return json.readTree(data);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The exit code of a finished rollout's state; null while it is active. */
    static Integer exitFor(String state) {
        if ("COMPLETED".equals(state)) {
            return ExitCodes.DONE;
        }
        if ("ROLLED_BACK".equals(state) || "ABORTED".equals(state)) {
            return ExitCodes.NOT_PROGRESSING;
        }
        return null;
    }
}
