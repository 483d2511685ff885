package dev.rollout.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seed system's deployment_state.json, so that scripts and dashboards reading that file can read
 * the controller instead. Every event that changed the traffic the new version gets appears, with its
 * time: "started" and "step" as "deploy_step", "rolled_back" as "rollback", and an "aborted" that left a
 * different percentage as "abort". Refusals, pauses and the like change no traffic and do not appear.
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
        List<Entry> steps = events.stream().map(LegacyDeploymentState::entry).filter(e -> e != null).toList();
        String lastStep = steps.isEmpty() ? format(startedAt) : steps.get(steps.size() - 1).timestamp();
        return new LegacyDeploymentState(currentPercentage, format(startedAt), lastStep, steps);
    }

    /** The legacy entry of one event, or null when the event did not change the traffic. */
    private static Entry entry(DeploymentEvent e) {
        double to = e.toPercentage == null ? 0.0 : e.toPercentage;
        String action = switch (e.kind()) {
            case STARTED, STEP -> "deploy_step";
            case ROLLED_BACK -> "rollback";
            case ABORTED -> e.fromPercentage != null && e.toPercentage != null
                    && !e.fromPercentage.equals(e.toPercentage) ? "abort" : null;
            default -> null;
        };
        return action == null ? null : new Entry(action, to, format(e.at));
    }

    static String format(Instant instant) {
        return PYTHON_ISO.format(instant);
    }
}
