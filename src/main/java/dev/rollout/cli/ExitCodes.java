package dev.rollout.cli;

import java.util.Map;

/**
 * rolloutctl's exit codes, a contract with the scripts that run it, and which API answer gives which. A
 * refusal is recognised by its problem type (the last segment of {@code type}); a type this client does not
 * know falls back on the HTTP status.
 */
final class ExitCodes {

    static final int DONE = 0;
    static final int OTHER = 1;
    static final int USAGE = 2;
    static final int TOO_EARLY = 3;
    static final int GATES_FAILING = 4;
    static final int NOT_PROGRESSING = 5;
    static final int FROZEN = 6;
    static final int APPROVAL_REQUIRED = 7;
    static final int ACCESS_REFUSED = 8;

    private static final Map<String, Integer> BY_TYPE = Map.ofEntries(
            Map.entry("too-early", TOO_EARLY),
            Map.entry("gates-failing", GATES_FAILING),
            // The rollout's state does not allow the command: it is paused, finished, or (resume) not paused.
            Map.entry("not-progressing", NOT_PROGRESSING),
            Map.entry("not-paused", NOT_PROGRESSING),
            Map.entry("already-finished", NOT_PROGRESSING),
            Map.entry("frozen", FROZEN),
            Map.entry("outside-window", FROZEN),
            Map.entry("approval-required", APPROVAL_REQUIRED),
            Map.entry("unauthenticated", ACCESS_REFUSED),
            Map.entry("forbidden", ACCESS_REFUSED),
            Map.entry("out-of-scope", ACCESS_REFUSED),
            Map.entry("approval-not-allowed", ACCESS_REFUSED),
            // Asking again unchanged cannot succeed: the command line or the file is wrong.
            Map.entry("invalid-plan", USAGE),
            Map.entry("invalid-request", USAGE),
            Map.entry("invalid-json", USAGE),
            Map.entry("unknown-field", USAGE),
            Map.entry("bad-request", USAGE),
            Map.entry("duplicate-key", USAGE),
            Map.entry("not-found", USAGE),
            Map.entry("plan-version-exists", USAGE),
            Map.entry("payload-too-large", USAGE),
            Map.entry("unsupported-media-type", USAGE),
            Map.entry("invalid-idempotency-key", USAGE),
            Map.entry("idempotency-key-reused", USAGE),
            Map.entry("approval-not-required", USAGE),
            Map.entry("freeze-exists", USAGE),
            // The world, not the command, is in the way (another rollout, a race, a limit, an outage).
            Map.entry("active-rollout-exists", OTHER),
            Map.entry("concurrent-change", OTHER),
            Map.entry("rate-limited", OTHER),
            Map.entry("database-unavailable", OTHER),
            Map.entry("method-not-allowed", OTHER),
            Map.entry("internal-error", OTHER));

    private ExitCodes() {}

    /** The exit code of an API answer with this status and problem type ({@code ""} when it had none). */
    static int forProblem(int status, String type) {
        Integer known = BY_TYPE.get(type == null ? "" : type);
        if (known != null) {
            return known;
        }
        if (status == 401 || status == 403) {
            return ACCESS_REFUSED;
        }
        if (status == 400 || status == 404 || status == 413 || status == 415 || status == 422) {
            return USAGE;
        }
        return OTHER;
    }

    /** The problem type's name: the last path segment of its {@code type} URI ({@code /problems/too-early}). */
    static String typeName(String typeUri) {
        if (typeUri == null) {
            return "";
        }
        String path = typeUri;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
