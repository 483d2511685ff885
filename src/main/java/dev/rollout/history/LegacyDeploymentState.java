package dev.rollout.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed system's deployment_state.json, so that scripts and dashboards reading that file can read
 * the controller instead. Only "started" and "step" events appear, both as "deploy_step".
 */
public record LegacyDeploymentState(
        @JsonProperty("current_percentage") double currentPercentage,
        @JsonProperty("deployment_started") String deploymentStarted,
        @JsonProperty("last_step_time") String lastStepTime,
        @JsonProperty("rollout_history") List<Entry> rolloutHistory) {

    public record Entry(String action, double percentage, String timestamp) {
    }

    /** Python's isoformat() of an aware UTC datetime, which is what the legacy file holds. */
    private static final DateTimeFormatter PYTHON_ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

    public static LegacyDeploymentState of(double currentPercentage, Instant startedAt, List<DeploymentEvent> events) {
        List<Entry> steps = events.stream()
                .filter(e -> e.kind() == Action.STARTED || e.kind() == Action.STEP)
                .map(e -> new Entry("deploy_step", e.toPercentage == null ? 0.0 : e.toPercentage, format(e.at)))
                .toList();
        String lastStep = steps.isEmpty() ? format(startedAt) : steps.get(steps.size() - 1).timestamp();
        return new LegacyDeploymentState(currentPercentage, format(startedAt), lastStep, steps);
    }

    static String format(Instant instant) {
        return PYTHON_ISO.format(instant);
    }
}
