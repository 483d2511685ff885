package dev.rollout.problem;

import java.util.Arrays;
import java.util.List;

import jakarta.ws.rs.core.UriInfo;

/**
 * The one place query parameters are read. Each is read strictly: a parameter given more than once is
 * refused rather than reduced to its first value, an integer is all digits within its range (no
 * {@code 1.5}, no {@code abc}, no overflow), an enumeration is one of its constants as written. Every
 * refusal is a 400 {@code invalid-request} naming the parameter, never the 404 a failed conversion gives.
 */
public final class QueryParams {

    private static final int MAX_DIGITS = 9;

    private final UriInfo uri;

    private QueryParams(UriInfo uri) {
        this.uri = uri;
    }

    public static QueryParams of(UriInfo uri) {
        return new QueryParams(uri);
    }

    /** The parameter's one value, or {@code null} when it is absent. */
    public String single(String name) {
        List<String> values = uri.getQueryParameters(true).get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid(name, "must be given at most once, got " + values.size() + " values");
        }
        return values.get(0);
    }

    /** An integer in {@code [min, max]}; {@code fallback} when absent. */
    public Integer integer(String name, Integer fallback, int min, int max) {
        String text = single(name);
        if (text == null) {
            return fallback;
        }
        String range = "must be a whole number from " + min + " to " + max;
        if (text.isEmpty() || text.length() > MAX_DIGITS + 1 || !digits(text)) {
            throw invalid(name, range + ", got '" + Problems.shortened(text) + "'");
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw invalid(name, range + ", got " + value);
        }
        return (int) value;
    }

    /** One of the constants of {@code type}, spelt exactly; {@code null} when absent or empty. */
    public <E extends Enum<E>> E enumeration(String name, Class<E> type) {
        String text = single(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        throw invalid(name, "must be one of " + Arrays.toString(type.getEnumConstants()));
    }

    private static boolean digits(String text) {
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == text.length()) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static ApiProblem invalid(String name, String what) {
        return ApiProblem.badRequest("invalid-request", name + ": " + what);
    }
}
