package dev.rollout.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.rollout.gate.GateDefinitionValidator;

/** Checks a plan request and names every problem found; an empty list means the plan is valid. */
public final class PlanValidator {

    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    public static final int MAX_STEPS = 100;
    /** A step webhook endpoint's name (see WebhookEndpoints): one spelling in properties and environment. */
    public static final Pattern WEBHOOK_ENDPOINT = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private PlanValidator() {}

    /** Validates everything but whether a webhook's endpoint is configured. */
    public static List<String> validate(PlanRequest plan, Set<String> knownSources) {
        return validate(plan, knownSources, null);
    }

    /**
     * @param knownSources     names of the configured named monitoring sources a gate may use
     * @param webhookEndpoints names of the configured step webhook endpoints a plan may name; null: not checked
     */
    public static List<String> validate(PlanRequest plan, Set<String> knownSources, Set<String> webhookEndpoints) {
        List<String> problems = new ArrayList<>();
        if (plan == null) {
            problems.add("body: a plan is required");
            return problems;
        }
        if (plan.name() == null || plan.name().isBlank()) {
            problems.add("name: is required");
        } else if (!NAME.matcher(plan.name()).matches()) {
            problems.add("name: must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (plan.version() != null && plan.version() < 1) {
            problems.add("version: must be 1 or more");
        }
        checkEnum("mode", plan.mode(), Mode.class, problems);
        checkEnum("onViolation", plan.onViolation(), ViolationPolicy.class, problems);

        Duration total = Duration.ZERO;
        boolean durationsValid = true;
        List<PlanRequest.StepRequest> steps = plan.steps();
        if (steps == null || steps.isEmpty()) {
            problems.add("steps: at least 1 step is required");
        } else if (steps.size() > MAX_STEPS) {
            problems.add("steps: at most " + MAX_STEPS + " steps are allowed, got " + steps.size());
        } else {
            double previous = 0;
            for (int i = 0; i < steps.size(); i++) {
                String field = "steps[" + i + "]";
                PlanRequest.StepRequest step = steps.get(i);
                if (step == null) {
                    problems.add(field + ": must be an object with percentage and minDwell");
                    durationsValid = false;
                    continue;
                }
                Double percentage = step.percentage();
                if (percentage == null) {
                    problems.add(field + ".percentage: is required");
                } else if (!Double.isFinite(percentage) || percentage <= 0 || percentage > 100) {
                    problems.add(field + ".percentage: must be greater than 0 and at most 100, got " + percentage);
                } else {
                    if (percentage <= previous) {
                        problems.add(field + ".percentage: must be greater than the previous step's " + previous
                                + ", got " + percentage);
                    }
                    previous = Math.max(previous, percentage);
                }
                Optional<Duration> dwell = dwell(field + ".minDwell", step.minDwell(), true, problems);
                if (dwell.isPresent()) {
                    total = total.plus(dwell.get());
                } else {
                    durationsValid = false;
                }
            }
            Double last = steps.get(steps.size() - 1) == null ? null : steps.get(steps.size() - 1).percentage();
            if (last == null || last != 100.0) {
                problems.add("steps: the last step must be 100 percent");
            }
        }

        if (plan.finalBake() != null) {
            Optional<Duration> bake = dwell("finalBake", plan.finalBake(), false, problems);
            if (bake.isPresent()) {
                total = total.plus(bake.get());
            } else {
                durationsValid = false;
            }
        }
        if (plan.minTotalDuration() != null) {
            Optional<Duration> minTotal = PlanDurations.parse(plan.minTotalDuration());
            if (PlanDurations.hasSign(plan.minTotalDuration())) {
                problems.add("minTotalDuration: must not be negative or signed in any component, got '"
                        + clip(plan.minTotalDuration()) + "'");
            } else if (minTotal.isEmpty()) {
                problems.add("minTotalDuration: must be an ISO-8601 duration such as P7D, got '"
                        + clip(plan.minTotalDuration()) + "'");
            } else if (minTotal.get().compareTo(PlanDurations.MAX_TOTAL) > 0) {
                problems.add("minTotalDuration: must be at most " + PlanDurations.format(PlanDurations.MAX_TOTAL));
            } else if (durationsValid && total.compareTo(minTotal.get()) < 0) {
                problems.add("minTotalDuration: the steps' dwells plus finalBake add up to " + PlanDurations.format(total)
                        + ", less than the required " + PlanDurations.format(minTotal.get()));
            }
        }
        if (plan.approvalBy() != null && !Plan.ANOTHER_OPERATOR.equals(plan.approvalBy())) {
            problems.add("approvalBy: must be '" + Plan.ANOTHER_OPERATOR + "' or left out (any operator), got '"
                    + clip(plan.approvalBy()) + "'");
        }
        problems.addAll(GateDefinitionValidator.validate(plan.gates(), knownSources));
        if (plan.webhook() != null) {
            checkWebhook(plan.webhook(), webhookEndpoints, problems);
        }
        problems.addAll(AdvanceWindows.problems(plan.advanceWindows()));
        return problems;
    }

    /** What a plan names as its webhook: an endpoint the administrator configured, never a URL or a secret. */
    private static void checkWebhook(PlanRequest.Webhook webhook, Set<String> endpoints, List<String> problems) {
        String configured = endpoints == null ? "" : " (configured: "
                + (endpoints.isEmpty() ? "none" : String.join(", ", new TreeSet<>(endpoints))) + ")";
        if (webhook.url() != null || webhook.secretRef() != null) {
            problems.add("webhook: a plan no longer names a URL or a secret; name an endpoint the administrator "
                    + "configured instead, {\"endpoint\": \"<name>\"}" + configured + ". An administrator adds one "
                    + "with ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_URL and ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_SECRET");
            return;
        }
        String name = webhook.endpoint();
        if (name == null || name.isBlank()) {
            problems.add("webhook.endpoint: is required, the name of an endpoint the administrator configured"
                    + configured);
        } else if (!WEBHOOK_ENDPOINT.matcher(name).matches()) {
            problems.add("webhook.endpoint: must be 1-63 lowercase letters, digits or '-', got '" + clip(name) + "'");
        } else if (endpoints != null && !endpoints.contains(name)) {
            problems.add("webhook.endpoint: no endpoint named '" + name + "' is configured" + configured
                    + "; an administrator adds it with ROLLOUT_WEBHOOK_ENDPOINTS_"
                    + name.toUpperCase().replace('-', '_') + "_URL and _SECRET");
        }
    }

    private static Optional<Duration> dwell(String field, String text, boolean required, List<String> problems) {
        if (text == null) {
            if (required) {
                problems.add(field + ": is required (an ISO-8601 duration such as PT24H or PT0S)");
            }
            return Optional.empty();
        }
        Optional<Duration> duration = PlanDurations.parse(text);
        if (PlanDurations.hasSign(text)) {
            problems.add(field + ": must not be negative or signed in any component, got '" + clip(text) + "'");
        } else if (duration.isEmpty()) {
            problems.add(field + ": must be a non-negative ISO-8601 duration such as PT24H or P1D, got '"
                    + clip(text) + "'");
        } else if (duration.get().compareTo(PlanDurations.MAX_DWELL) > 0) {
            problems.add(field + ": must be at most " + PlanDurations.format(PlanDurations.MAX_DWELL) + ", got " + clip(text));
            return Optional.empty();
        }
        return duration;
    }

    private static <E extends Enum<E>> void checkEnum(String field, String value, Class<E> type, List<String> problems) {
        List<String> allowed = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        if (value == null) {
            problems.add(field + ": is required, one of " + allowed);
        } else if (!allowed.contains(value)) {
            problems.add(field + ": must be one of " + allowed + ", got '" + clip(value) + "'");
        }
    }

    static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
