package dev.rollout.drill;

import static dev.rollout.drill.DrillChecks.OPERATOR;
import static dev.rollout.drill.DrillChecks.SCRIPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rollout.drill.DrillChecks.Command;
import dev.rollout.drill.DrillChecks.Window;

/**
 * A drill that always reports HELD proves nothing: each invariant must catch the breakage it names. These
 * histories are written by hand, one fault each, and fed to the same checks the drill runs.
 */
class DrillChecksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final String ID = "r1";

    private long seq;
    private final List<String> twice = new ArrayList<>();
    private final List<String> fold = new ArrayList<>();
    private final List<String> dwell = new ArrayList<>();
    private final List<String> outage = new ArrayList<>();

    private JsonNode ev(String action, double from, double to, double seconds, String actor, String reason) {
        ObjectNode e = JSON.createObjectNode();
        e.put("seq", seq += 7); // global: not contiguous per rollout
        e.put("action", action);
        if (!action.equals("started")) {
            e.put("fromPercentage", from);
        }
        e.put("toPercentage", to);
        e.put("at", T0.plusMillis((long) (seconds * 1000)).toString());
        e.put("actor", actor);
        if (reason != null) {
            e.put("reason", reason);
        }
        ObjectNode details = e.putObject("details");
        details.put("plan", "drill-manual-pause");
        if (action.equals("step")) {
            ObjectNode gate = details.putArray("gates").addObject();
            gate.put("name", "app-up");
            gate.put("kind", "target-up");
            gate.put("status", "PASS");
            gate.put("evaluatedAt", T0.plusMillis((long) (seconds * 1000) - 10).toString());
        }
        return e;
    }

    private static JsonNode now(String state, double pct, int step) {
        return JSON.valueToTree(Map.of("state", state, "currentPercentage", pct, "stepIndex", step));
    }

    /** A clean run: 0 → 5 → 25, paused and resumed by an operator, → 50 a full dwell after the resume → 100. */
    private List<JsonNode> clean() {
        return new ArrayList<>(List.of(
                ev("started", 0, 0, 0, OPERATOR, null),
                ev("step", 0, 5, 1, SCRIPT, null),
                ev("step", 5, 25, 4.5, SCRIPT, null),
                ev("paused", 25, 25, 5, OPERATOR, "drill pause #1"),
                ev("resumed", 25, 25, 6, OPERATOR, "drill resume #2"),
                ev("step", 25, 50, 9, "controller", null),
                ev("step", 50, 100, 12.5, "controller", null),
                ev("completed", 100, 100, 12.5, "controller", null)));
    }

    private int check(List<JsonNode> history, JsonNode now, List<Window> windows) {
        return DrillChecks.checkHistory(ID, renumbered(history), now, windows, twice, fold, dwell, outage);
    }

    /** Gives events inserted into a history the seq of where they stand (7 apart: seq is global). */
    private static List<JsonNode> renumbered(List<JsonNode> history) {
        long n = 1000;
        for (JsonNode e : history) {
            ((ObjectNode) e).put("seq", n += 7);
        }
        return history;
    }

    @Test
    void aCleanHistoryHoldsEveryInvariant() {
        int moves = check(clean(), now("COMPLETED", 100, 3), List.of());
        assertEquals(5, moves);
        assertEquals(List.of(), twice);
        assertEquals(List.of(), fold);
        assertEquals(List.of(), dwell);
        assertEquals(List.of(), outage);
    }

    @Test
    void aStepRecordedTwiceIsCaught() {
        List<JsonNode> h = clean();
        h.add(3, ev("step", 5, 25, 4.6, "controller", null));
        check(h, now("COMPLETED", 100, 3), List.of());
        assertEquals(1, twice.size(), twice::toString);
        assertTrue(!fold.isEmpty(), "the second step is not the next step: " + fold);
    }

    @Test
    void aStateThatIsNotTheFoldOfItsHistoryIsCaught() {
        check(clean(), now("PAUSED", 100, 3), List.of());
        assertEquals(1, fold.size(), fold::toString);
        fold.clear();
        List<JsonNode> h = clean();
        h.add(4, ev("paused", 25, 25, 5.5, "controller", null)); // paused while already paused
        check(h, now("COMPLETED", 100, 3), List.of());
        assertEquals(1, fold.size(), fold::toString);
    }

    @Test
    void aStepLeftBeforeItsDwellIsCaught() {
        List<JsonNode> h = clean();
        h.set(2, ev("step", 5, 25, 3.9, SCRIPT, null)); // 2.9 s at 5 %
        check(h, now("COMPLETED", 100, 3), List.of());
        assertEquals(1, dwell.size(), dwell::toString);
    }

    @Test
    void aResumeStartsAFreshDwell() {
        List<JsonNode> h = clean();
        h.set(5, ev("step", 25, 50, 8, "controller", null)); // 7.5 s at 25 %, but only 2 s since the resume
        check(h, now("COMPLETED", 100, 3), List.of());
        assertEquals(1, dwell.size(), dwell::toString);
    }

    @Test
    void anAdvanceWhileAGateSourceWasDownIsCaughtPastTheGranularity() {
        // Prometheus down from 8.995 s (after the move at 9 s read its gates) to 20 s: the move at 9 s is
        // within the granularity, the one at 12.5 s is not, and neither is the PASS it read at 12.49 s.
        Window prometheus = new Window("prometheus", T0.plusMillis(8995), T0.plusSeconds(20));
        check(clean(), now("COMPLETED", 100, 3), List.of(prometheus));
        assertEquals(3, outage.size(), "the move at 12.5 s, its PASS read at 12.49 s, and completed: " + outage);
        outage.clear();
        // Alertmanager down at the same time says nothing about a target-up result read from Prometheus.
        check(clean(), now("COMPLETED", 100, 3), List.of(new Window("alertmanager", T0.plusSeconds(10),
                T0.plusSeconds(11))));
        assertEquals(List.of(), outage);
    }

    @Test
    void commandsAnsweredButMissingTwiceOrOutOfOrderAreCaught() {
        List<JsonNode> h = clean();
        Command advance1 = command(1, "advance", "k1", 200, 5.0);
        Command advance2 = command(2, "advance", "k2", 200, 25.0);
        Command pause = command(3, "pause", "drill pause #1", 200, 25.0);
        Command resume = command(4, "resume", "drill resume #2", 200, 25.0);
        Command refused = command(5, "pause", "drill pause #9", 409, null);
        List<String> out = new ArrayList<>();
        DrillChecks.checkCommands(ID, List.of(advance1, advance2, pause, resume, refused), h, out);
        assertEquals(List.of(), out);

        // Answered 200, but nothing in the history.
        DrillChecks.checkCommands(ID, List.of(advance1, advance2, command(6, "abort", "drill abort #6", 200, 25.0)),
                h, out);
        assertEquals(1, out.size(), out::toString);
        out.clear();
        // A refused command that changed something anyway.
        DrillChecks.checkCommands(ID, List.of(advance1, advance2, command(3, "pause", "drill pause #1", 503, null)),
                h, out);
        assertEquals(1, out.size(), out::toString);
        out.clear();
        // Recorded twice.
        List<JsonNode> doubled = clean();
        doubled.add(5, ev("resumed", 25, 25, 6.1, OPERATOR, "drill resume #2"));
        DrillChecks.checkCommands(ID, List.of(advance1, advance2, resume), renumbered(doubled), out);
        assertEquals(1, out.size(), out::toString);
        out.clear();
        // Sent pause then advance, recorded the other way round.
        DrillChecks.checkCommands(ID, List.of(advance1, pause, command(7, "advance", "k3", 200, 25.0)), h, out);
        assertEquals(1, out.size(), out::toString);
        out.clear();
        // A step by the script that no command explains; one whose answer was lost may explain it.
        DrillChecks.checkCommands(ID, List.of(advance1), h, out);
        assertEquals(1, out.size(), out::toString);
        out.clear();
        DrillChecks.checkCommands(ID, List.of(advance1, command(8, "advance", "k4", -1, null)), h, out);
        assertEquals(List.of(), out);
    }

    private static Command command(long order, String kind, String reason, int status, Double pct) {
        Command c = new Command(order, ID, kind, reason);
        c.statuses.add(status);
        if (pct != null) {
            c.answer = JSON.valueToTree(Map.of("currentPercentage", pct));
        }
        return c;
    }
}
