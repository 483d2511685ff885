package dev.rollout.gate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One pair of windows of a {@code burn-rate} gate: the gate fails when the error ratio over both the long and
 * the short window exceeds {@code factor × (1 − objective)}. The short window makes the gate let go soon after
 * a burn stops; the long one keeps a short spike from failing it.
 *
 * @param longWindow  a Prometheus duration such as {@code 1h}; JSON {@code long}
 * @param shortWindow a Prometheus duration shorter than {@code longWindow}, such as {@code 5m}; JSON {@code short}
 * @param factor      the burn rate (multiple of the error budget's even spend) that counts as burning, e.g. 14.4
 */
public record BurnWindow(
        @JsonProperty("long") String longWindow,
        @JsonProperty("short") String shortWindow,
        Double factor) {

    public static BurnWindow of(String longWindow, String shortWindow, double factor) {
        return new BurnWindow(longWindow, shortWindow, factor);
    }
}
