package dev.rollout.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.rollout.plan.PlanValidator;

/** Body of {@code POST /rollouts}: which plan (latest version unless given) to run for which target and version. */
public record StartRequest(String plan, Integer planVersion, String target, String version) {

    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        name("plan", plan, problems);
        name("target", target, problems);
        if (version == null || version.isBlank()) {
            problems.add("version: is required");
        } else if (!VERSION.matcher(version).matches()) {
            problems.add("version: must be 1-128 characters of letters, digits, '.', '_', '+' or '-'");
        }
        if (planVersion != null && planVersion < 1) {
            problems.add("planVersion: must be 1 or more");
        }
        return problems;
    }

    private static void name(String field, String value, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(field + ": is required");
        } else if (!PlanValidator.NAME.matcher(value).matches()) {
            problems.add(field + ": must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public String fingerprint() {
        return plan + "|" + planVersion + "|" + target + "|" + version;
    }
}
