package dev.rollout.gate;

import java.util.List;
import java.util.Map;

/** An alert as listed by Alertmanager API v2. */
public record Alert(Map<String, String> labels, String state, List<String> silencedBy, List<String> inhibitedBy) {

    public Alert {
        labels = Map.copyOf(labels);
        silencedBy = List.copyOf(silencedBy);
        inhibitedBy = List.copyOf(inhibitedBy);
    }

    public String name() {
        return labels.getOrDefault("alertname", "(no alertname)");
    }

    /**
     * Whether the alert counts against a gate: not silenced, not inhibited and not suppressed.
     * An alert Alertmanager has not processed yet ({@code unprocessed}) or with an unknown state
     * counts as firing, so that doubt never lets a rollout advance.
     */
    public boolean firing() {
        return !"suppressed".equals(state) && silencedBy.isEmpty() && inhibitedBy.isEmpty();
    }
}
