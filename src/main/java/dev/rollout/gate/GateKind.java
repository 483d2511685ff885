package dev.rollout.gate;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of health gate a plan can hold. The JSON form is the kebab-case name. */
public enum GateKind {
    @JsonProperty("target-up")
    TARGET_UP("target-up"),
    @JsonProperty("metrics-present")
    METRICS_PRESENT("metrics-present"),
    @JsonProperty("no-firing-alerts")
    NO_FIRING_ALERTS("no-firing-alerts"),
    @JsonProperty("query-threshold")
    QUERY_THRESHOLD("query-threshold"),
    @JsonProperty("burn-rate")
    BURN_RATE("burn-rate"),
    @JsonProperty("compare")
    COMPARE("compare");

    private final String jsonName;

    GateKind(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in plan JSON, e.g. {@code target-up}. */
    public String jsonName() {
        return jsonName;
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
