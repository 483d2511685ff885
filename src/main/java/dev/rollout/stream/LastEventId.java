package dev.rollout.stream;

import java.util.List;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Problems;

/** The {@code Last-Event-ID} a reconnecting client sends: the seq of the last event it received. No I/O. */
public final class LastEventId {

    public static final String HEADER = "Last-Event-ID";

    private LastEventId() {
    }

    /** The seq to resume after; null without the header (only new events); 400 for anything but a seq. */
    public static Long parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String seq = value.strip();
        if (seq.length() > 18 || !seq.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String line = HEADER + ": '" + Problems.shortened(value) + "' is not the id of an event (a seq, 0 or more)";
            throw ApiProblem.badRequest("invalid-request", line).with("errors", List.of(line));
        }
        return Long.parseLong(seq);
    }
}
