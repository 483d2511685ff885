package dev.rollout.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;

import dev.rollout.problem.ApiProblem;

/**
 * The opaque {@code after} cursor of {@code GET /audit}: the last {@code seq} of a page, base64url-encoded
 * with a marker so that a stray value is refused rather than misread. Kept to this class so that the list
 * can move to the shared paging helper without changing what clients see.
 */
final class AuditCursor {

    private static final String MARK = "audit:";

    private AuditCursor() {}

    static String after(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((MARK + seq).getBytes(StandardCharsets.US_ASCII));
    }

    /** The seq after which a page starts; empty for the first page; 400 for anything not made by {@link #after}. */
    static OptionalLong parse(String cursor) {
        if (cursor == null) {
            return OptionalLong.empty();
        }
        try {
            if (cursor.length() <= 64) {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
                if (text.startsWith(MARK) && text.length() > MARK.length() && text.length() <= MARK.length() + 19
                        && text.substring(MARK.length()).chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return OptionalLong.of(Long.parseLong(text.substring(MARK.length())));
                }
            }
        } catch (IllegalArgumentException e) {
            // not base64url, or a number out of range: refused below
        }
        throw ApiProblem.badRequest("invalid-request", "after: not a cursor of this list; use the Link of the previous page")
                .with("errors", java.util.List.of("after: not a cursor"));
    }
}
