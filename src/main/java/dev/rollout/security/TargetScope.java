package dev.rollout.security;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The targets a credential may act on and see: every target ({@link #ALL}), or those matching one of a
 * few patterns, where {@code *} matches any run of characters ({@code payments-*}). A pattern is the
 * target name alphabet plus {@code *}; matching is literal otherwise, in time linear in the target's
 * length times the pattern's, with no regular expression.
 */
public record TargetScope(List<String> patterns) {

    /** Every target: a token created without {@code targets}, a JWT without the scope claim. */
    public static final TargetScope ALL = new TargetScope(null);
    public static final int MAX_PATTERNS = 32;
    public static final int MAX_PATTERN_LENGTH = 100;
    static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9*][A-Za-z0-9._*-]{0," + (MAX_PATTERN_LENGTH - 1) + "}");

    public TargetScope {
        patterns = patterns == null ? null : List.copyOf(patterns);
    }

    /** A scope of these patterns; {@code null} is every target. Validate them first with {@link #problems}. */
    public static TargetScope of(List<String> patterns) {
        return patterns == null ? ALL : new TargetScope(patterns);
    }

    public boolean isAll() {
        return patterns == null;
    }

    /** Whether the credential may act on (and see) rollouts of {@code target}. */
    public boolean allows(String target) {
        if (patterns == null) {
            return true;
        }
        if (target == null) {
            return false;
        }
        for (String pattern : patterns) {
            if (matches(pattern, target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What is wrong with {@code patterns} as the {@code field} of a request, if anything: 1 to
     * {@value #MAX_PATTERNS} patterns, each 1 to {@value #MAX_PATTERN_LENGTH} characters of letters, digits,
     * '.', '_', '-' and '*'. An empty list is refused rather than read as "nothing" or "everything".
     */
    public static List<String> problems(String field, List<String> patterns) {
        if (patterns == null) {
            return List.of();
        }
        if (patterns.isEmpty() || patterns.size() > MAX_PATTERNS) {
            return List.of(field + ": must list 1 to " + MAX_PATTERNS + " target patterns, or be left out for every target");
        }
        for (int i = 0; i < patterns.size(); i++) {
            String p = patterns.get(i);
            if (p == null || !PATTERN.matcher(p).matches()) {
                return List.of(field + "[" + i + "]: must be 1-" + MAX_PATTERN_LENGTH + " characters of letters, "
                        + "digits, '.', '_', '-' and '*' (any run of characters), starting with a letter, digit or '*'");
            }
        }
        return List.of();
    }

    /** The escape character of {@link #likePatterns()}: one that no pattern can contain. */
    public static final char LIKE_ESCAPE = '!';

    /** SQL {@code LIKE} patterns (escape character {@link #LIKE_ESCAPE}) that match what the patterns match. */
    public List<String> likePatterns() {
        if (patterns == null) {
            throw new IllegalStateException("every target: no pattern to match");
        }
        return patterns.stream().map(p -> p.replace("!", "!!").replace("%", "!%").replace("_", "!_")
                .replace('*', '%')).toList();
    }

    /** Glob match: '*' is any run of characters, everything else itself. Greedy with one backtrack point. */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
