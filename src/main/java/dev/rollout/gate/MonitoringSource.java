package dev.rollout.gate;

/**
 * A Prometheus and an Alertmanager that gates may ask; either may be {@code null} when not
 * configured, and gates needing it then evaluate to ERROR.
 */
public record MonitoringSource(MonitoringEndpoint prometheus, MonitoringEndpoint alertmanager) {
}
