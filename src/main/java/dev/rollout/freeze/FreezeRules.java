package dev.rollout.freeze;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether freezes cover a target at an instant, and until when: free of I/O. Freezes that overlap or touch
 * chain: a target covered by one freeze until 18:00 and by another from 17:00 to 20:00 is frozen until 20:00,
 * so the caller is told the moment asking again can succeed, not the first freeze's end.
 */
public final class FreezeRules {

    private FreezeRules() {
    }

    /** The freezes that keep a target frozen, and when the last of them (in a chain) ends. */
    public record Cover(Instant until, List<String> freezes) {
    }

    /**
     * The cover of {@code target} at {@code now} by {@code freezes} (any freezes: ended, future and other
     * targets' are ignored); empty when no freeze is in force over it at {@code now}.
     */
    public static Optional<Cover> cover(List<Freeze> freezes, String target, Instant now) {
        List<Freeze> relevant = new ArrayList<>();
        for (Freeze f : freezes) {
            if (f.covers(target) && f.until().isAfter(now)) {
                relevant.add(f);
            }
        }
        relevant.sort(Comparator.comparing(Freeze::from).thenComparing(Freeze::name));
        Instant end = null;
        List<String> names = new ArrayList<>();
        for (Freeze f : relevant) {
            boolean joins = end == null ? f.inForceAt(now) : !f.from().isAfter(end);
            if (!joins) {
                if (end != null) {
                    break; // sorted by start: no later freeze can join the chain either
                }
                continue;
            }
            names.add(f.name());
            end = end == null || f.until().isAfter(end) ? f.until() : end;
        }
        return end == null ? Optional.empty() : Optional.of(new Cover(end, List.copyOf(names)));
    }
}
