package dev.rollout.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The drill's invariants over one rollout's history, kept apart from the driver so that
 * {@code DrillChecksTest} can show each of them catches what it is meant to catch.
 */
final class DrillChecks {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    /**
     * How long after a gate source went down an advance may still commit: a tick (or an advance call)
     * evaluates its gates and then acts, so an action may carry results up to a tick old; two ticks leave
     * room for a slow transaction on a busy machine.
     */
    static final Duration GRANULARITY = INTERVAL.multipliedBy(2);
    static final Duration DWELL = Duration.ofSeconds(3);
    static final double[] STEPS = {5, 25, 50, 100};
    static final String SCRIPT = "drill-script";
    static final String OPERATOR = "drill-operator";

    private DrillChecks() {
    }

    /** A window during which a gate source or the database was certainly unavailable. */
    record Window(String source, Instant from, Instant to) {
        boolean contains(Instant t) {
            return !t.isBefore(from) && !t.isAfter(to);
        }
    }

    /** One command the drill sent, and what it learned of its outcome. */
    static final class Command {
        final long order;
        final String rolloutId;
        final String kind;
        final String reason;
        final List<Integer> statuses = new ArrayList<>();
        JsonNode answer;

        Command(long order, String rolloutId, String kind, String reason) {
            this.order = order;
            this.rolloutId = rolloutId;
            this.kind = kind;
            this.reason = reason;
        }

        boolean succeeded() {
            return statuses.stream().anyMatch(s -> s >= 200 && s < 300);
        }

        /** Not answered with success, and some attempt got no answer at all: it may or may not have happened. */
        boolean unknown() {
            return !succeeded() && statuses.contains(-1);
        }
    }

    /** The drill's commands on one rollout against its history: each answered one once, in the order sent. */
    static void checkCommands(String id, List<Command> sent, List<JsonNode> history, List<String> out) {
        List<long[]> matched = new ArrayList<>(); // {command order, event seq}
        int unknownAdvances = 0;
        Map<Double, List<JsonNode>> scriptSteps = new HashMap<>();
        for (JsonNode ev : history) {
            if (ev.path("action").asText().equals("step") && ev.path("actor").asText().equals(SCRIPT)) {
                scriptSteps.computeIfAbsent(ev.path("toPercentage").asDouble(), x -> new ArrayList<>()).add(ev);
            }
        }
        for (Command c : sent) {
            if (c.kind.equals("advance")) {
                if (c.succeeded()) {
                    double to = c.answer.path("currentPercentage").asDouble();
                    List<JsonNode> evs = scriptSteps.getOrDefault(to, List.of());
                    if (evs.size() != 1) {
                        out.add(id + ": advance " + c.reason + " answered 200 at " + to + " %, history has " + evs.size()
                                + " step events to it by " + SCRIPT);
                    } else {
                        matched.add(new long[] {c.order, evs.get(0).path("seq").asLong()});
                    }
                    scriptSteps.remove(to);
                } else if (c.unknown()) {
                    unknownAdvances++;
                }
                continue;
            }
            String action = switch (c.kind) {
                case "pause" -> "paused";
                case "resume" -> "resumed";
                case "rollback" -> "rolled_back";
                default -> "aborted";
            };
            List<JsonNode> evs = history.stream().filter(ev -> c.reason.equals(ev.path("reason").asText(null))).toList();
            boolean right = evs.stream().allMatch(ev -> ev.path("action").asText().equals(action)
                    && ev.path("actor").asText().equals(OPERATOR));
            if (!right || (c.succeeded() && evs.size() != 1) || (c.unknown() && evs.size() > 1)
                    || (!c.succeeded() && !c.unknown() && !evs.isEmpty())) {
                out.add(id + ": " + c.kind + " answered " + c.statuses + ", history has " + evs.size()
                        + " events with its reason: " + evs);
            } else if (evs.size() == 1) {
                matched.add(new long[] {c.order, evs.get(0).path("seq").asLong()});
            }
        }
        int unexplained = scriptSteps.values().stream().mapToInt(List::size).sum();
        if (unexplained > unknownAdvances) {
            out.add(id + ": " + unexplained + " step events by " + SCRIPT + " that no answered advance explains "
                    + scriptSteps.keySet() + " (" + unknownAdvances + " advances unanswered)");
        }
        matched.sort(Comparator.comparingLong(m -> m[0]));
        for (int i = 1; i < matched.size(); i++) {
            if (matched.get(i)[1] <= matched.get(i - 1)[1]) {
                out.add(id + ": event " + matched.get(i)[1] + " recorded before event " + matched.get(i - 1)[1]
                        + " though its command was sent after");
            }
        }
    }

    /** Folds one history, checking each event is allowed where it stands; answers the number of moves. */
    static int checkHistory(String id, List<JsonNode> history, JsonNode now, List<Window> windows,
            List<String> twice, List<String> fold, List<String> dwell, List<String> outage) {
        if (history.isEmpty() || !history.get(0).path("action").asText().equals("started")) {
            fold.add(id + ": history does not begin with started");
            return 0;
        }
        String plan = history.get(0).path("details").path("plan").asText();
        String state = "PROGRESSING";
        double pct = 0;
        int stepIndex = -1;
        Instant dwellFrom = null;
        Map<String, Integer> transitions = new HashMap<>();
        int moves = 0;
        long lastSeq = -1;
        for (JsonNode ev : history) {
            String action = ev.path("action").asText();
            long seq = ev.path("seq").asLong();
            Instant at = Instant.parse(ev.path("at").asText());
            double from = ev.path("fromPercentage").asDouble(0);
            double to = ev.path("toPercentage").asDouble(0);
            String where = id + " event " + seq + " " + action + " " + from + "->" + to;
            if (seq <= lastSeq) {
                fold.add(where + ": seq not increasing");
            }
            lastSeq = seq;
            if (List.of("started", "step", "completed", "rolled_back", "aborted").contains(action)) {
                String key = action + ":" + (action.equals("step") ? Double.toString(to) : "");
                if (transitions.merge(key, 1, Integer::sum) > 1) {
                    twice.add(where + " recorded twice");
                }
            }
            boolean terminal = List.of("COMPLETED", "ROLLED_BACK", "ABORTED").contains(state);
            switch (action) {
                case "started" -> {
                    if (seq != history.get(0).path("seq").asLong()) {
                        fold.add(where + ": started again");
                    }
                }
                case "step", "completed" -> {
                    moves++;
                    checkAdvanceDuringOutage(where, ev, at, windows, outage);
                    if (!state.equals("PROGRESSING")) {
                        fold.add(where + ": moved while " + state);
                    }
                    if (dwellFrom != null && stepIndex >= 0 && stepIndex < STEPS.length) {
                        Duration need = STEPS[stepIndex] == 100 ? Duration.ZERO : DWELL;
                        Duration held = Duration.between(dwellFrom, at);
                        if (action.equals("step") && held.compareTo(need) < 0) {
                            dwell.add(where + ": step " + STEPS[stepIndex] + " % left after " + held.toMillis()
                                    + " ms of its " + need.toMillis() + " ms dwell");
                        }
                    }
                    if (action.equals("step")) {
                        if (from != pct || stepIndex + 1 >= STEPS.length || to != STEPS[stepIndex + 1]) {
                            fold.add(where + ": not the next step from " + pct + " % (step " + stepIndex + ")");
                        }
                        stepIndex++;
                        pct = to;
                        dwellFrom = at;
                    } else {
                        if (stepIndex != STEPS.length - 1) {
                            fold.add(where + ": completed at step " + stepIndex);
                        }
                        state = "COMPLETED";
                    }
                }
                case "paused" -> {
                    if (!state.equals("PROGRESSING")) {
                        fold.add(where + ": paused while " + state);
                    }
                    state = "PAUSED";
                }
                case "resumed" -> {
                    if (!state.equals("PAUSED")) {
                        fold.add(where + ": resumed while " + state);
                    }
                    state = "PROGRESSING";
                    dwellFrom = at;
                }
                case "rolled_back" -> {
                    if (terminal) {
                        fold.add(where + ": rolled back while " + state);
                    }
                    state = "ROLLED_BACK";
                    pct = 0;
                    stepIndex = -1;
                }
                case "aborted" -> {
                    if (terminal) {
                        fold.add(where + ": aborted while " + state);
                    }
                    state = "ABORTED";
                }
                case "gate_violation" -> {
                    if (terminal || from != pct) {
                        fold.add(where + ": violation while " + state + " at " + pct + " %");
                    }
                }
                case "advance_refused" -> {
                    // changes nothing
                }
                case "hold_started" -> {
                    // gates in ERROR (a source down): no change of state or percentage, only of the dwell's end
                    if (!state.equals("PROGRESSING")) {
                        fold.add(where + ": hold started while " + state);
                    }
                }
                case "hold_ended", "shadow_violation" -> {
                    // change nothing the fold follows
                }
                default -> fold.add(where + ": an action the drill never causes");
            }
        }
        String nowState = now.path("state").asText();
        double nowPct = now.path("currentPercentage").asDouble();
        int nowStep = now.path("stepIndex").asInt();
        if (!nowState.equals(state) || nowPct != pct || nowStep != stepIndex) {
            fold.add(id + " (" + plan + "): GET says " + nowState + " " + nowPct + " % step " + nowStep
                    + ", the history folds to " + state + " " + pct + " % step " + stepIndex);
        }
        return moves;
    }

    private static void checkAdvanceDuringOutage(String where, JsonNode ev, Instant at, List<Window> windows,
            List<String> out) {
        for (Window w : windows) {
            if (w.source().equals("database")) {
                continue;
            }
            if (at.isAfter(w.from().plus(GRANULARITY)) && !at.isAfter(w.to())) {
                out.add(where + " at " + at + " while " + w.source() + " was down " + w.from() + " .. " + w.to());
            }
            for (JsonNode gate : ev.path("details").path("gates")) {
                String source = gate.path("kind").asText().equals("no-firing-alerts") ? "alertmanager" : "prometheus";
                String evaluated = gate.path("evaluatedAt").asText(null);
                if (source.equals(w.source()) && evaluated != null && w.contains(Instant.parse(evaluated))) {
                    out.add(where + ": gate " + gate.path("name").asText() + " " + gate.path("status").asText()
                            + " evaluated at " + evaluated + " while " + w.source() + " was down");
                }
            }
        }
    }
}
