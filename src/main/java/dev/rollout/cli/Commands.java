package dev.rollout.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.cli.Api.Answer;
import dev.rollout.cli.Api.Failure;
import dev.rollout.cli.Api.Refused;
import dev.rollout.cli.Args.UsageException;

/** What each command does with the API. One method per command; output through {@link Output}. */
final class Commands {

    /** The longest a server holds one {@code advance?wait=}; longer waits are asked in turns. */
    static final Duration MAX_SERVER_WAIT = Duration.ofMinutes(15);
    /** How long to wait before asking again when a server answered a held advance early (it shut down). */
    private static final Duration EARLY_ANSWER_PAUSE = Duration.ofSeconds(15);
    static final List<String> STATES = List.of("PROGRESSING", "PAUSED", "COMPLETED", "ROLLED_BACK", "ABORTED");

    private final Map<String, String> env;
    private final Output out;
    private final ObjectMapper json;
    private Api api;

    Commands(Map<String, String> env, Output out, ObjectMapper json) {
        this.env = env;
        this.out = out;
        this.json = json;
    }

    /** The API, read from the environment when first needed: arguments are checked before it. */
    private Api api() throws UsageException {
        if (api == null) {
            api = Api.fromEnvironment(env, json);
        }
        return api;
    }

    // ---- plans ----------------------------------------------------------------------------------------

    int planApply(Args args) throws UsageException, Refused, Failure {
        JsonNode plan = readJson(args.expect("FILE").get(0));
        Answer answer = api().post("/plans", plan);
        JsonNode body = answer.body();
        out.json(body);
        String name = Output.text(body, "name");
        String version = Output.text(body, "version");
        out.line(answer.status() == 201 ? "created plan " + name + " version " + version
                : "plan " + name + " unchanged: version " + version + " is the latest");
        return ExitCodes.DONE;
    }

    int planPreview(Args args) throws UsageException, Refused, Failure {
        JsonNode plan = readJson(args.expect("FILE").get(0));
        JsonNode preview = api().post("/plans/preview", plan).body();
        out.json(preview);
        String name = plan.hasNonNull("name") ? Table.cell(plan.get("name").asText()) : "(unnamed)";
        if (!preview.path("valid").asBoolean(false)) {
            out.line("plan " + name + " is not valid; POST /plans would refuse it:");
            preview.path("errors").forEach(e -> out.line("  - " + Table.cell(e.asText())));
            return ExitCodes.USAGE;
        }
        out.line("plan " + name + " is valid");
        boolean approvals = false;
        for (JsonNode s : preview.path("schedule")) {
            approvals |= s.path("approval").asBoolean(false);
        }
        Table table = approvals
                ? Table.of("STEP", "PERCENTAGE", "MIN DWELL", "EARLIEST AFTER START", "APPROVAL").alignRight(0, 1)
                : Table.of("STEP", "PERCENTAGE", "MIN DWELL", "EARLIEST AFTER START").alignRight(0, 1);
        int step = 1;
        for (JsonNode s : preview.path("schedule")) {
            Object[] cells = {step++, Output.percent(s.get("percentage")), Durations.readable(Output.text(s, "minDwell")),
                    Durations.readable(Output.text(s, "earliestAfter")), s.path("approval").asBoolean(false) ? "required" : ""};
            table.row(approvals ? cells : java.util.Arrays.copyOf(cells, 4));
        }
        out.table(table);
        String minimum = Output.text(preview, "minimumDuration");
        out.line("minimum duration to COMPLETED: " + Durations.readable(minimum) + " (" + minimum + ")");
        JsonNode warnings = preview.path("warnings");
        if (warnings.isEmpty()) {
            out.line("warnings: none");
        } else {
            out.line("warnings:");
            warnings.forEach(w -> out.line("  " + Output.text(w, "code") + ": " + Output.text(w, "message")));
        }
        return ExitCodes.DONE;
    }

    int planList(Args args) throws UsageException, Refused, Failure {
        args.expect();
        List<JsonNode> plans = api().getAll("/plans?limit=1000");
        out.json(array(plans));
        Table table = Table.of("NAME", "VERSION", "MODE", "ON VIOLATION", "STEPS", "GATES", "CREATED", "BY")
                .alignRight(1, 4, 5);
        for (JsonNode p : plans) {
            table.row(Output.text(p, "name"), Output.text(p, "version"), Output.text(p, "mode"),
                    Output.text(p, "onViolation"), p.path("steps").size(), p.path("gates").size(),
                    Output.instant(Output.text(p, "createdAt")), Output.text(p, "createdBy"));
        }
        out.table(table);
        return ExitCodes.DONE;
    }

    // ---- rollouts -------------------------------------------------------------------------------------

    int start(Args args) throws UsageException, Refused, Failure {
        List<String> p = args.expect("PLAN", "TARGET", "VERSION");
        ObjectNode body = json.createObjectNode().put("plan", p.get(0)).put("target", p.get(1)).put("version", p.get(2));
        JsonNode rollout = api().post("/rollouts", body, idempotency(args), Api.REQUEST_TIMEOUT).body();
        out.json(rollout);
        out.line("started rollout " + Output.text(rollout, "id") + ": plan " + Output.text(rollout, "plan") + " v"
                + Output.text(rollout, "planVersion") + ", " + Output.text(rollout, "target") + " "
                + Output.text(rollout, "version") + ", " + Output.text(rollout, "state") + " at "
                + Output.percent(rollout.get("currentPercentage")));
        return ExitCodes.DONE;
    }

    int status(Args args) throws UsageException, Refused, Failure {
        String id = args.expect("ID").get(0);
        Duration interval = args.value("interval") == null ? Watch.DEFAULT_INTERVAL : duration("interval", args.value("interval"));
        if (args.value("interval") != null && !args.flag("watch")) {
            throw new UsageException("--interval goes with --watch");
        }
        JsonNode rollout = api().get(rolloutPath(id)).body();
        JsonNode gates = api().get(rolloutPath(id) + "/gates").body();
        if (out.json) {
            ObjectNode shown = rollout.deepCopy();
            shown.set("gates", gates);
            out.json(shown);
        } else {
            printStatus(rollout, gates);
        }
        if (!args.flag("watch")) {
            return ExitCodes.DONE;
        }
        return new Watch(api(), out, json).follow(id, Output.text(rollout, "state"), interval);
    }

    private void printStatus(JsonNode r, JsonNode gates) {
        Instant now = api.now();
        String state = Output.text(r, "state");
        int stepIndex = r.path("stepIndex").asInt(-1);
        int stepCount = r.path("stepCount").asInt(0);
        out.line("rollout   " + Output.text(r, "id"));
        out.line("target    " + Output.text(r, "target") + " " + Output.text(r, "version"));
        out.line("plan      " + Output.text(r, "plan") + " v" + Output.text(r, "planVersion")
                + (r.hasNonNull("mode") ? " (" + Output.text(r, "mode") + ")" : ""));
        out.line("state     " + state + " at " + Output.percent(r.get("currentPercentage"))
                + (stepIndex < 0 ? " (not started; " + stepCount + " steps)" : " (step " + (stepIndex + 1) + " of "
                        + stepCount + ")"));
        JsonNode next = r.get("nextPercentage");
        String earliest = Output.text(r, "earliestAdvanceAt");
        if (next == null || next.isNull()) {
            boolean finalStep = stepCount > 0 && stepIndex == stepCount - 1 && "PROGRESSING".equals(state);
            out.line("next      " + (finalStep ? "COMPLETED " + (earliest == null ? "after the final bake"
                    : due(earliest, now)) : "none: the rollout is " + state));
        } else if ("PROGRESSING".equals(state)) {
            out.line("next      " + Output.percent(next) + " " + (earliest == null ? "" : due(earliest, now))
                    + ("AUTOMATIC".equals(Output.text(r, "mode")) ? "; the controller moves it by itself" : ""));
        } else {
            out.line("next      " + Output.percent(next) + " once resumed (a fresh, full dwell starts then)");
        }
        if (r.path("awaitingApproval").asBoolean(false)) {
            out.line("approval  required for the next step: rolloutctl approve " + Output.text(r, "id")
                    + " --reason TEXT");
        } else if (r.hasNonNull("approval")) {
            JsonNode a = r.get("approval");
            out.line("approval  " + Output.percent(a.get("percentage")) + " approved by " + Output.text(a, "approvedBy")
                    + " at " + Output.instant(Output.text(a, "approvedAt"))
                    + (a.hasNonNull("reason") ? ": " + Output.text(a, "reason") : ""));
        }
        if (gates == null || gates.isEmpty()) {
            out.line("gates     none");
            return;
        }
        long failing = 0;
        long passing = 0;
        for (JsonNode g : gates) {
            String s = Output.text(g, "status");
            if ("PASS".equals(s)) {
                passing++;
            } else if (s != null) {
                failing++;
            }
        }
        out.line("gates     " + (failing > 0 ? failing + " of " + gates.size() + " failing"
                : passing == gates.size() ? "all " + gates.size() + " passing"
                : passing + " of " + gates.size() + " passing, the others not evaluated yet"));
        for (JsonNode g : gates) {
            String s = Output.text(g, "status");
            String when = Output.text(g, "evaluatedAt");
            String detail = Output.text(g, "detail");
            out.line("  " + String.format("%-5s", s == null ? "-" : s) + " " + Output.text(g, "name") + " ("
                    + Output.text(g, "kind") + ")" + (s == null ? ": not evaluated yet" : "")
                    + (detail != null && !"PASS".equals(s) ? ": " + detail : "")
                    + (when == null ? "" : " [" + Output.relative(when, now) + "]"));
        }
    }

    private static String due(String earliest, Instant now) {
        Instant at;
        try {
            at = Instant.parse(earliest);
        } catch (DateTimeParseException e) {
            return "not before " + earliest;
        }
        return at.isAfter(now) ? "not before " + Output.instant(earliest) + " (" + Output.relative(earliest, now) + ")"
                : "now: the dwell is over (since " + Output.instant(earliest) + ")";
    }

    int advance(Args args) throws UsageException, Refused, Failure {
        String id = args.expect("ID").get(0);
        Map<String, String> headers = idempotency(args);
        String waitText = args.value("wait");
        if (waitText == null) {
            JsonNode rollout = api().post(rolloutPath(id) + "/advance", null, headers, Api.REQUEST_TIMEOUT).body();
            return advanced(rollout, "advanced");
        }
        Duration wait = duration("wait", waitText);
        long deadline = System.nanoTime() + wait.toNanos();
        if (!out.json) {
            out.note("waiting up to " + Durations.format(wait) + " for " + Table.cell(id) + " to advance");
        }
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            Duration turn = left.compareTo(MAX_SERVER_WAIT) > 0 ? MAX_SERVER_WAIT : left;
            String path = rolloutPath(id) + "/advance"
                    + (turn.isNegative() || turn.isZero() ? "" : "?" + Api.query("wait", Durations.iso(turn)));
            long asked = System.nanoTime();
            try {
                JsonNode rollout = api().post(path, null, headers, turn.plus(Duration.ofSeconds(30))).body();
                return advanced(rollout, "advanced");
            } catch (Refused refused) {
                boolean waitable = refused.type.equals("too-early") || refused.type.equals("gates-failing")
                        || refused.type.equals("approval-required");
                Duration remaining = Duration.ofNanos(deadline - System.nanoTime());
                if (!waitable || remaining.compareTo(Duration.ofSeconds(1)) < 0) {
                    throw refused;
                }
                // A server that held the request answers when the turn runs out; an earlier answer means it
                // could not hold it (shutting down, or too old to wait): pause, then ask again.
                Duration held = Duration.ofNanos(System.nanoTime() - asked);
                if (held.compareTo(turn.minusSeconds(2)) < 0) {
                    Duration pause = refused.type.equals("too-early") && refused.retryAfter != null
                            ? refused.retryAfter : EARLY_ANSWER_PAUSE;
                    sleep(pause.compareTo(remaining) < 0 ? pause : remaining);
                }
                if (deadline - System.nanoTime() < Duration.ofSeconds(1).toNanos()) {
                    throw refused;
                }
            }
        }
    }

    private int advanced(JsonNode r, String verb) {
        out.json(r);
        boolean progressing = "PROGRESSING".equals(Output.text(r, "state"));
        String earliest = r.hasNonNull("earliestAdvanceAt") ? " " + due(Output.text(r, "earliestAdvanceAt"), api.now()) : "";
        String next = !progressing ? ""
                : r.hasNonNull("nextPercentage") ? "; next " + Output.percent(r.get("nextPercentage")) + earliest
                : "; COMPLETED after its last dwell and final bake" + earliest;
        out.line(verb + " " + Output.text(r, "id") + " to " + Output.percent(r.get("currentPercentage")) + " ("
                + Output.text(r, "state") + ", step " + (r.path("stepIndex").asInt(-1) + 1) + " of "
                + r.path("stepCount").asInt(0) + ")" + next);
        return ExitCodes.DONE;
    }

    int override(Args args) throws UsageException, Refused, Failure {
        String id = args.expect("ID").get(0);
        ObjectNode body = json.createObjectNode().put("override", true).put("reason", args.required("reason"));
        JsonNode rollout = api().post(rolloutPath(id) + "/advance", body, idempotency(args), Api.REQUEST_TIMEOUT).body();
        return advanced(rollout, "overrode the rules: moved");
    }

    int approve(Args args) throws UsageException, Refused, Failure {
        String id = args.expect("ID").get(0);
        ObjectNode body = json.createObjectNode().put("reason", args.required("reason"));
        JsonNode answer = api().post(rolloutPath(id) + "/approve", body, idempotency(args), Api.REQUEST_TIMEOUT).body();
        out.json(answer);
        out.line("approved the next step of " + Table.cell(id)
                + (answer != null && answer.hasNonNull("nextPercentage")
                        ? " (" + Output.percent(answer.get("nextPercentage")) + ")" : ""));
        return ExitCodes.DONE;
    }

    /** pause, resume, rollback, abort: of one rollout (ID), or of a fleet ({@code --target}, pause and resume). */
    int command(String verb, Args args) throws UsageException, Refused, Failure {
        String reason = args.required("reason");
        String target = args.value("target");
        if (target != null) {
            if (!args.positionals().isEmpty()) {
                throw new UsageException("give either a rollout ID or --target, not both");
            }
            ObjectNode body = json.createObjectNode().put("target", target);
            if (args.value("plan") != null) {
                body.put("plan", args.value("plan"));
            }
            body.put("reason", reason);
            JsonNode result = api().post("/rollouts/" + verb, body).body();
            out.json(result);
            JsonNode acted = result.path("acted");
            JsonNode skipped = result.path("skipped");
            out.line((verb.equals("pause") ? "paused " : "resumed ") + acted.size() + " rollout"
                    + (acted.size() == 1 ? "" : "s") + ", skipped " + skipped.size());
            acted.forEach(a -> out.line("  " + (verb.equals("pause") ? "paused   " : "resumed  ") + Table.cell(a.asText())));
            skipped.forEach(s -> out.line("  skipped  " + Output.text(s, "id") + " (" + Output.text(s, "reason")
                    + ", " + Output.text(s, "state") + ")"));
            return ExitCodes.DONE;
        }
        if (args.value("plan") != null) {
            throw new UsageException("--plan goes with --target");
        }
        String id = args.expect("ID").get(0);
        JsonNode r = api().post(rolloutPath(id) + "/" + verb, json.createObjectNode().put("reason", reason)).body();
        out.json(r);
        String done = switch (verb) {
            case "pause" -> "paused";
            case "resume" -> "resumed";
            case "rollback" -> "rolled back";
            default -> "aborted";
        };
        out.line(done + " " + Output.text(r, "id") + ": " + Output.text(r, "state") + " at "
                + Output.percent(r.get("currentPercentage"))
                + (verb.equals("resume") && r.hasNonNull("earliestAdvanceAt")
                        ? "; next " + Output.percent(r.get("nextPercentage")) + " "
                                + due(Output.text(r, "earliestAdvanceAt"), api().now())
                        : ""));
        return ExitCodes.DONE;
    }

    int history(Args args) throws UsageException, Refused, Failure {
        String id = args.expect("ID").get(0);
        List<JsonNode> events = api().getAll(rolloutPath(id) + "/history");
        out.json(array(events));
        Table table = Table.of("SEQ", "AT", "ACTION", "FROM", "TO", "ACTOR", "REASON", "DETAILS").alignRight(0, 3, 4);
        for (JsonNode e : events) {
            table.row(Output.text(e, "seq"), Output.instant(Output.text(e, "at")), Output.text(e, "action"),
                    Output.percent(e.get("fromPercentage")), Output.percent(e.get("toPercentage")),
                    Output.text(e, "actor"), Output.text(e, "reason"), details(e.get("details")));
        }
        out.table(table);
        return ExitCodes.DONE;
    }

    /** The gist of an event's details, one line: the refusal and its repeats, the policy, failing gates, an override. */
    static String details(JsonNode d) {
        if (d == null || !d.isObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (d.hasNonNull("refusal")) {
            parts.add(d.get("refusal").asText() + (d.hasNonNull("repeats") ? " x" + d.get("repeats").asLong() : ""));
        }
        if (d.hasNonNull("policy")) {
            parts.add("policy " + d.get("policy").asText());
        }
        List<String> failing = new ArrayList<>();
        d.path("gates").forEach(g -> {
            if (!"PASS".equals(g.path("status").asText())) {
                failing.add(g.path("name").asText() + " " + g.path("status").asText());
            }
        });
        if (!failing.isEmpty()) {
            parts.add("gates: " + String.join(", ", failing));
        }
        if (d.path("override").asBoolean(false) || d.has("bypassed")) {
            parts.add("override");
        }
        return Table.cell(String.join("; ", parts));
    }

    int list(Args args) throws UsageException, Refused, Failure {
        args.expect();
        StringBuilder path = new StringBuilder("/rollouts?limit=1000");
        if (args.value("state") != null) {
            path.append('&').append(Api.query("state", args.value("state").toUpperCase(Locale.ROOT)));
        }
        if (args.value("target") != null) {
            path.append('&').append(Api.query("target", args.value("target")));
        }
        if (args.value("plan") != null) {
            path.append('&').append(Api.query("plan", args.value("plan")));
        }
        List<JsonNode> rollouts = api().getAll(path.toString());
        out.json(array(rollouts));
        Table table = Table.of("ID", "TARGET", "VERSION", "PLAN", "STATE", "AT", "STEP", "NEXT ADVANCE").alignRight(5);
        Instant now = api().now();
        for (JsonNode r : rollouts) {
            String earliest = Output.text(r, "earliestAdvanceAt");
            table.row(Output.text(r, "id"), Output.text(r, "target"), Output.text(r, "version"),
                    Output.text(r, "plan") + " v" + Output.text(r, "planVersion"), Output.text(r, "state"),
                    Output.percent(r.get("currentPercentage")),
                    (r.path("stepIndex").asInt(-1) + 1) + "/" + r.path("stepCount").asInt(0),
                    earliest == null ? null : Instant.parse(earliest).isAfter(now) ? Output.relative(earliest, now) : "now");
        }
        out.table(table);
        return ExitCodes.DONE;
    }

    // ---- freezes ----------------------------------------------------------------------------------------

    int freezeCreate(Args args) throws UsageException, Refused, Failure {
        String name = args.expect("NAME").get(0);
        Instant from = args.value("from") == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS)
                : time("from", args.value("from"), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Instant until = time("until", args.required("until"), from);
        ObjectNode body = json.createObjectNode().put("name", name).put("from", from.toString())
                .put("until", until.toString());
        if (!args.all("target").isEmpty()) {
            ArrayNode targets = body.putArray("targets");
            args.all("target").forEach(targets::add);
        }
        body.put("reason", args.required("reason"));
        JsonNode freeze = api().post("/freezes", body).body();
        out.json(freeze);
        out.line("created freeze " + Table.cell(name) + ": from " + Output.instant(Output.text(freeze, "from"))
                + " until " + Output.instant(Output.text(freeze, "until")) + ", targets "
                + targets(freeze == null ? null : freeze.get("targets")));
        return ExitCodes.DONE;
    }

    int freezeList(Args args) throws UsageException, Refused, Failure {
        args.expect();
        List<JsonNode> freezes = api().getAll("/freezes?limit=1000");
        out.json(array(freezes));
        Table table = Table.of("NAME", "STATE", "FROM", "UNTIL", "TARGETS", "REASON", "BY");
        for (JsonNode f : freezes) {
            table.row(Output.text(f, "name"), Output.text(f, "state"), Output.instant(Output.text(f, "from")),
                    Output.instant(Output.text(f, "until")), targets(f.get("targets")), Output.text(f, "reason"),
                    Output.text(f, "createdBy"));
        }
        out.table(table);
        return ExitCodes.DONE;
    }

    int freezeDelete(Args args) throws UsageException, Refused, Failure {
        String name = args.expect("NAME").get(0);
        Answer answer = api().delete("/freezes/" + Api.segment(name),
                json.createObjectNode().put("reason", args.required("reason")));
        out.json(answer.body() == null ? json.createObjectNode().put("name", name).put("deleted", true) : answer.body());
        out.line("lifted freeze " + Table.cell(name));
        return ExitCodes.DONE;
    }

    private static String targets(JsonNode targets) {
        if (targets == null || targets.isNull() || targets.isEmpty()) {
            return "all";
        }
        List<String> list = new ArrayList<>();
        targets.forEach(t -> list.add(Table.cell(t.asText())));
        return String.join(",", list);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    static String rolloutPath(String id) {
        return "/rollouts/" + Api.segment(id);
    }

    private Map<String, String> idempotency(Args args) throws UsageException {
        String key = args.value("idempotency-key");
        if (key == null) {
            // One key per run: a retry inside this run (a held advance asked again) never moves twice.
            key = "rolloutctl-" + UUID.randomUUID();
        } else if (!key.matches("[\\x21-\\x7E]{1,255}")) {
            throw new UsageException("--idempotency-key must be 1 to 255 visible ASCII characters");
        }
        return Map.of("Idempotency-Key", key);
    }

    static Duration duration(String option, String text) throws UsageException {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + option + ": " + e.getMessage());
        }
    }

    /** An RFC 3339 instant, {@code now}, or a duration counted from {@code base} ({@code --until 2h}). */
    static Instant time(String option, String text, Instant base) throws UsageException {
        if (text.equalsIgnoreCase("now")) {
            return Instant.now().truncatedTo(ChronoUnit.SECONDS);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return base.plus(Durations.parse(text));
            } catch (IllegalArgumentException notDuration) {
                throw new UsageException("--" + option + ": '" + Table.cell(text.length() > 40 ? text.substring(0, 40)
                        : text) + "' is neither an RFC 3339 time (2026-12-24T00:00:00Z) nor a duration (4h)");
            }
        }
    }

    private JsonNode readJson(String file) throws UsageException {
        String text;
        try {
            text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            JsonNode node = json.readTree(text);
            if (node == null || !node.isObject()) {
                throw new UsageException(file + " is not a JSON object (a plan, as POST /plans takes it)");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new UsageException(file + " is not JSON: " + e.getOriginalMessage() + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }

    private ArrayNode array(List<JsonNode> items) {
        ArrayNode array = json.createArrayNode();
        items.forEach(array::add);
        return array;
    }

    static void sleep(Duration duration) throws Failure {
        try {
            Thread.sleep(Math.max(0, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ExitCodes.OTHER, "interrupted");
        }
    }
}
