package dev.rollout.plan;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One advance window of a plan, as posted and stored: steps are entered only while the wall clock of
 * {@code zone} shows one of {@code days} between {@code from} (inclusive) and {@code until} (exclusive).
 * {@code from} after {@code until} is a window across midnight: it opens on a listed day at {@code from} and
 * closes at {@code until} the next day. The rule is {@link AdvanceWindows}; the checks {@link PlanValidator}.
 */
public record AdvanceWindow(
        @Schema(description = "Days the window opens on: MON, TUE, WED, THU, FRI, SAT, SUN") List<String> days,
        @Schema(description = "Wall-clock time it opens, HH:MM (00:00 to 23:59)", example = "09:00") String from,
        @Schema(description = "Wall-clock time it closes, HH:MM (00:01 to 24:00); before from: the next day",
                example = "16:00") String until,
        @Schema(description = "IANA time zone the times are read in", example = "Europe/Berlin") String zone) {
}
