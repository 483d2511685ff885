package dev.rollout.plan;

/** One step of a plan as stored: the percentage reached and the minimum dwell there (canonical ISO-8601). */
public record PlanStep(double percentage, String minDwell) {
}
