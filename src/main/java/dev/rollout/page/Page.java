package dev.rollout.page;

import java.util.List;
import java.util.function.Function;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

/**
 * One page of a list, and the one place list answers are made: the body is the JSON array of the items, and
 * when more follow, a {@code Link: <same request, after=cursor>; rel="next"} header (a relative reference,
 * so it holds behind a proxy). Every list of the API (plans, rollouts, a rollout's history, tokens, and the
 * lists added later) answers through {@link #response}.
 */
public record Page<T>(List<T> items, String next) {

    /** The header's description in the API document. */
    public static final String LINK_DESCRIPTION = "Present when more items follow: <the same request with "
            + "after=cursor>; rel=\"next\"";
    public static final String LIMIT_DESCRIPTION = "At most this many items, 1 to 1000 (default 100)";
    public static final String AFTER_DESCRIPTION = "The cursor from the previous page's Link header: items after it";

    /**
     * A page of {@code fetched}, which holds up to {@link PageRequest#fetchSize()} rows in the list's order:
     * the first {@code limit}, and a next cursor (the sort key of the last one kept) if there were more.
     */
    public static <T> Page<T> of(List<T> fetched, PageRequest request, Function<T, String> cursorOf) {
        if (fetched.size() <= request.limit()) {
            return new Page<>(fetched, null);
        }
        List<T> items = List.copyOf(fetched.subList(0, request.limit()));
        return new Page<>(items, cursorOf.apply(items.get(items.size() - 1)));
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), next);
    }

    /** 200 with the items, and the next page's link when there is one. */
    public Response response(UriInfo uri) {
        Response.ResponseBuilder ok = Response.ok(items);
        if (next != null) {
            UriBuilder link = uri.getRequestUriBuilder().replaceQueryParam("after", next);
            java.net.URI target = link.build();
            String reference = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            ok.header("Link", "<" + reference + ">; rel=\"next\"");
        }
        return ok.build();
    }
}
