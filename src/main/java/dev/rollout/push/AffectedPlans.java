package dev.rollout.push;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.gate.AlertMatcher;
import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateKind;
import dev.rollout.plan.Plan;
import dev.rollout.problem.ApiProblem;

/**
 * Which plans' gates an Alertmanager notification could affect, with no I/O. A plan is affected when one of
 * its {@code no-firing-alerts} gates could match one of the notified alerts (firing or resolved: either may
 * change the gate's answer). Equality matchers are compared exactly; regular-expression matchers are never
 * run against data here (see {@link AlertMatcher#parse}), so they count as "could match". Being affected
 * only makes the controller evaluate sooner: the evaluation still asks Alertmanager and Prometheus.
 */
public final class AffectedPlans {

    /** At most this many alerts are read from one notification; a larger one affects every alert gate. */
    public static final int MAX_ALERTS = 1000;
    /** Label sets travel to every instance in one notification payload, which PostgreSQL caps at 8000 bytes. */
    static final int MAX_PAYLOAD = 7000;
    static final String EVERY_ALERT_GATE = "*";

    private final boolean everyAlertGate;
    private final List<Map<String, String>> labelSets;

    private AffectedPlans(boolean everyAlertGate, List<Map<String, String>> labelSets) {
        this.everyAlertGate = everyAlertGate;
        this.labelSets = labelSets;
    }

    /** The label sets of a valid notification; 400 {@code invalid-notification} for anything else. */
    public static List<Map<String, String>> labelSets(AlertmanagerNotification notification) {
        if (notification == null) {
            throw invalid("the body must be an Alertmanager webhook notification");
        }
        if (!"4".equals(notification.version())) {
            throw invalid("version must be \"4\" (Alertmanager's webhook payload), got "
                    + (notification.version() == null ? "none" : "\"" + notification.version() + "\""));
        }
        if (notification.alerts() == null) {
            throw invalid("alerts is required");
        }
        List<Map<String, String>> sets = new ArrayList<>();
        for (AlertmanagerNotification.NotifiedAlert alert : notification.alerts()) {
            if (alert == null || alert.labels() == null) {
                throw invalid("every alert needs its labels");
            }
            if (sets.size() < MAX_ALERTS) {
                sets.add(alert.labels());
            }
        }
        return sets;
    }

    /** The wake-up payload naming these label sets: JSON, or {@code *} when it would not fit. */
    static String payload(List<Map<String, String>> labelSets, ObjectMapper json) {
        if (labelSets.size() >= MAX_ALERTS) {
            return EVERY_ALERT_GATE;
        }
        try {
            String text = json.writeValueAsString(labelSets);
            return text.length() <= MAX_PAYLOAD ? text : EVERY_ALERT_GATE;
        } catch (JsonProcessingException e) {
            return EVERY_ALERT_GATE;
        }
    }

    /** Reads a payload made by {@link #payload}; one that cannot be read affects every alert gate. */
    static AffectedPlans fromPayload(String payload, ObjectMapper json) {
        if (payload == null || EVERY_ALERT_GATE.equals(payload)) {
            return new AffectedPlans(true, List.of());
        }
        try {
            List<Map<String, String>> sets = json.readValue(payload,
                    new TypeReference<List<Map<String, String>>>() {
                    });
            return of(sets);
        } catch (JsonProcessingException | RuntimeException e) {
            return new AffectedPlans(true, List.of());
        }
    }

    static AffectedPlans of(List<Map<String, String>> labelSets) {
        return new AffectedPlans(false, Collections.unmodifiableList(new ArrayList<>(labelSets)));
    }

    public Predicate<Plan> asPredicate() {
        return plan -> affects(plan.gates);
    }

    boolean affects(List<GateDefinition> gates) {
        if (gates == null) {
            return false;
        }
        for (GateDefinition gate : gates) {
            if (gate.kind() != GateKind.NO_FIRING_ALERTS) {
                continue;
            }
            if (everyAlertGate) {
                return true;
            }
            for (Map<String, String> labels : labelSets) {
                if (couldMatch(gate.matchers(), labels)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Alertmanager's rule: an alert matches when every matcher does; a missing label reads as "". */
    static boolean couldMatch(List<String> matchers, Map<String, String> labels) {
        if (matchers == null) {
            return true;
        }
        for (String text : matchers) {
            AlertMatcher matcher;
            try {
                matcher = AlertMatcher.parse(text);
            } catch (IllegalArgumentException e) {
                return true; // a stored plan was valid when stored; if it no longer parses, look anyway
            }
            if (matcher.operator().isRegex()) {
                continue;
            }
            boolean equal = matcher.value().equals(labels.getOrDefault(matcher.name(), ""));
            if (equal != matcher.operator().isEqual()) {
                return false;
            }
        }
        return true;
    }

    private static ApiProblem invalid(String detail) {
        return ApiProblem.badRequest("invalid-notification", detail);
    }
}
