package dev.rollout.freeze;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A freeze as the API shows it. */
public record FreezeView(String name, Instant from, Instant until,
        @Schema(description = "Target patterns; null: every target") List<String> targets,
        String reason, Instant createdAt, String createdBy,
        @Schema(description = "scheduled (not started yet), in-force, or ended (at the time of the answer)")
        String state) {

    public static FreezeView of(Freeze f, Instant now) {
        String state = now.isBefore(f.from()) ? "scheduled" : now.isBefore(f.until()) ? "in-force" : "ended";
        return new FreezeView(f.name(), f.from(), f.until(), f.targets(), f.reason(), f.createdAt(), f.createdBy(),
                state);
    }
}
