package dev.rollout.gate;

/**
 * A monitoring source could not be asked or gave an unusable answer. The message is the detail
 * shown to people and is free of credentials.
 */
public class MonitoringException extends RuntimeException {

    public MonitoringException(String detail) {
        super(detail, null, false, false);
    }
}
