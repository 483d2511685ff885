package dev.rollout.plan;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.rollout.gate.GateDefinitionValidator;

/** Checks a plan request and names every problem found; an empty list means the plan is valid. */
public final class PlanValidator {

    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    public static final int MAX_STEPS = 100;

    private PlanValidator() {}

    /** A webhook secretRef: a plain name, so it maps to exactly one {@code rollout.webhook.secrets.<ref>} key. */
    public static final Pattern SECRET_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    /** Validates everything but whether a webhook's secret is configured. */
    public static List<String> validate(PlanRequest plan, Set<String> knownSources) {
        return validate(plan, knownSources, ref -> true);
    }

    /**
     * @param knownSources            names of the configured named monitoring sources a gate may use
     * @param webhookSecretConfigured whether a webhook secretRef names a configured secret
     */
    public static List<String> validate(PlanRequest plan, Set<String> knownSources,
            Predicate<String> webhookSecretConfigured) {
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
        problems.addAll(GateDefinitionValidator.validate(plan.gates(), knownSources));
        if (plan.webhook() != null) {
            checkWebhook(plan.webhook(), webhookSecretConfigured, problems);
        }
        return problems;
    }

    private static void checkWebhook(PlanWebhook webhook, Predicate<String> secretConfigured, List<String> problems) {
        String url = webhook.url();
        if (url == null || url.isBlank()) {
            problems.add("webhook.url: is required (an absolute http or https URL)");
        } else {
            URI uri = null;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                // reported below
            }
            if (uri == null || uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getUserInfo() != null || url.length() > 2000) {
                problems.add("webhook.url: must be an absolute http or https URL without credentials, got '"
                        + clip(url) + "'");
            }
        }
        String ref = webhook.secretRef();
        if (ref == null || ref.isBlank()) {
            problems.add("webhook.secretRef: is required, the name of a secret configured as "
                    + "rollout.webhook.secrets.<name>");
        } else if (!SECRET_REF.matcher(ref).matches()) {
            problems.add("webhook.secretRef: must be 1-64 letters, digits, '_' or '-', got '" + clip(ref) + "'");
        } else if (!secretConfigured.test(ref)) {
            problems.add("webhook.secretRef: no secret named '" + ref + "' is configured "
                    + "(set rollout.webhook.secrets." + ref + " or ROLLOUT_WEBHOOK_SECRETS_" + envName(ref) + ")");
        }
    }

    private static String envName(String ref) {
        return ref.toUpperCase().replace('-', '_');
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
