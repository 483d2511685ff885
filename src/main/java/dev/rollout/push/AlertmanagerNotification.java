package dev.rollout.push;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The part of Alertmanager's webhook payload ({@code "version": "4"}) the controller reads: which alerts the
 * notification is about. Alertmanager sends more (group key, external URL, annotations, times) and adds
 * fields between versions, so unknown fields are ignored here, unlike the rest of the API.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerNotification(String version, String status, List<NotifiedAlert> alerts) {

    /** One alert of the notification: {@code firing} or {@code resolved}, and its labels. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NotifiedAlert(String status, Map<String, String> labels) {
    }
}
