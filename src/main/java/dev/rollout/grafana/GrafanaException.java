package dev.rollout.grafana;

/** Grafana could not be reached or refused a request. The message never contains the token. */
public class GrafanaException extends Exception {

    public GrafanaException(String message) {
        super(message, null, false, false);
    }
}
