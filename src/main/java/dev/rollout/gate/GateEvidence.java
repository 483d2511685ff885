package dev.rollout.gate;

import java.util.List;

/**
 * Why a gate said what it said, in three parts any kind fills: what was asked ({@code query}: the PromQL, the
 * metrics or the Alertmanager matchers), what was {@code observed} (the values, the firing alerts, or the
 * monitoring error), and the {@code threshold} a pass needs. The history, {@code GET /rollouts/{id}/gates} and
 * the annotations show it, so a reader knows why a rollout stopped without opening the plan. Never holds a
 * credential: queries and matchers come from the plan, observations from the gate rules' own wording.
 */
public record GateEvidence(String query, String observed, String threshold) {

    private static final int SHOWN = 200;

    /** What {@code gate} asks and what a pass needs, with {@code observed}. */
    public static GateEvidence of(GateDefinition gate, String observed) {
        return new GateEvidence(asked(gate), observed, threshold(gate));
    }

    /** The PromQL, metrics or matchers the gate sends, shortened for display. */
    static String asked(GateDefinition gate) {
        if (gate.kind() == null) {
            return shown(gate.query());
        }
        switch (gate.kind()) {
            case METRICS_PRESENT:
                return shown(join(gate.metrics()));
            case NO_FIRING_ALERTS:
                return shown("alerts matching " + join(gate.matchers()));
            case QUERY_THRESHOLD:
                return shown(gate.aggregate() == null ? gate.query() : gate.aggregate() + " of " + gate.query());
            default:
                return shown(gate.query());
        }
    }

    /** What a pass needs, in words; null for a kind that does not say. */
    static String threshold(GateDefinition gate) {
        if (gate.kind() == null) {
            return null;
        }
        switch (gate.kind()) {
            case TARGET_UP:
                return "at least one series, every value = 1";
            case METRICS_PRESENT:
                return "at least one series of each";
            case NO_FIRING_ALERTS:
                return "no active, unsilenced, uninhibited alert";
            case QUERY_THRESHOLD:
                return gate.condition();
            default:
                return null;
        }
    }

    private static String join(List<String> items) {
        return items == null ? null : String.join(", ", items);
    }

    private static String shown(String text) {
        return text == null ? null : Values.abbreviate(text, SHOWN);
    }
}
