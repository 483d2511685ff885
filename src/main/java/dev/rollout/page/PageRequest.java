package dev.rollout.page;

import jakarta.ws.rs.core.UriInfo;

import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.QueryParams;

/**
 * What a caller asked of a list: at most {@code limit} items, those after the cursor (absent: from the start).
 * Both are read and checked when the request is read, before anything is looked up: {@code limit} is 1 to
 * {@link #MAX_LIMIT}, and {@code after} is a cursor of this list ({@link Cursor}) or, for a history, the seq of
 * an event; anything else is a 400 {@code invalid-request}.
 *
 * @param after the decoded cursor; null on the first page (and for a history, whose cursor is {@code afterSeq})
 * @param afterSeq a history's cursor: the last seq read, 0 on the first page
 */
public record PageRequest(int limit, Cursor after, long afterSeq) {

    public static final int MAX_LIMIT = 1000;
    /** The default size of most lists. */
    public static final int DEFAULT_LIMIT = 100;
    /** The default size of a rollout's history, which is read whole more often than not. */
    public static final int HISTORY_LIMIT = 1000;

    private static final int MAX_SEQ_DIGITS = 18;

    /** A list sorted by a key of {@code cursorParts} parts, {@link #DEFAULT_LIMIT} items by default. */
    public static PageRequest of(UriInfo uri, int cursorParts) {
        QueryParams query = QueryParams.of(uri);
        int limit = query.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String after = query.single("after");
        return new PageRequest(limit, after == null ? null : Cursor.decode(after, cursorParts), 0);
    }

    /** A rollout's history: by seq, {@link #HISTORY_LIMIT} events by default. */
    public static PageRequest ofHistory(UriInfo uri) {
        QueryParams query = QueryParams.of(uri);
        int limit = query.integer("limit", HISTORY_LIMIT, 1, MAX_LIMIT);
        String after = query.single("after");
        if (after == null) {
            return new PageRequest(limit, null, 0);
        }
        if (after.isEmpty() || after.length() > MAX_SEQ_DIGITS || !after.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiProblem.badRequest("invalid-request", "after: must be the seq of an event (a whole number "
                    + "from 0), got '" + (after.length() > 40 ? after.substring(0, 40) + "..." : after) + "'");
        }
        return new PageRequest(limit, null, Long.parseLong(after));
    }

    /** How many rows to fetch: one more than asked, to learn whether there is a next page. */
    public int fetchSize() {
        return limit + 1;
    }
}
