package dev.rollout.gate;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One Alertmanager label matcher, parsed with Alertmanager's own syntax: {@code name}, an operator
 * ({@code =}, {@code !=}, {@code =~}, {@code !~}) and a value that is either double-quoted (with
 * {@code \"}, {@code \\} and {@code \n} escapes) or bare.
 */
public record AlertMatcher(String name, Operator operator, String value) {

    public enum Operator {
        EQUAL("=", false, true),
        NOT_EQUAL("!=", false, false),
        REGEX("=~", true, true),
        NOT_REGEX("!~", true, false);

        private final String symbol;
        private final boolean regex;
        private final boolean equal;

        Operator(String symbol, boolean regex, boolean equal) {
            this.symbol = symbol;
            this.regex = regex;
            this.equal = equal;
        }

        public String symbol() {
            return symbol;
        }

        public boolean isRegex() {
            return regex;
        }

        /** Alertmanager's {@code isEqual}: false for the negated operators. */
        public boolean isEqual() {
            return equal;
        }

    }

    /**
     * Parses a matcher string such as {@code severity=~"warning|critical"} or {@code alertname=Foo}.
     *
     * <p>The text is read by a single left-to-right scan, never by a backtracking expression, after its
     * length has been checked against {@link GateLimits#MAX_MATCHER_LENGTH}: the cost is linear in a bounded
     * length. It accepts what Alertmanager's own expression accepts: optional white space, the name, optional
     * white space, the operator, optional white space, the value, optional trailing white space.
     *
     * <p>Regular expressions ({@code =~}, {@code !~}) are only compiled here, to refuse invalid ones; the
     * controller never runs them against data. Alertmanager does, with Go's linear-time engine, so a pattern
     * such as {@code (a+)+$} cannot make anyone backtrack. Compiling is bounded too: the length cap, and
     * groups nested at most {@link GateLimits#MAX_REGEX_NESTING} deep (deeper ones would recurse through the
     * compiler's stack).
     *
     * @throws IllegalArgumentException with a message saying what is wrong, quoting at most a short prefix
     */
    public static AlertMatcher parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("matcher is empty");
        }
        if (text.length() > GateLimits.MAX_MATCHER_LENGTH) {
            throw new IllegalArgumentException("matcher must be at most " + GateLimits.MAX_MATCHER_LENGTH
                    + " characters, got " + text.length());
        }
        int end = text.length();
        while (end > 0 && isSpace(text.charAt(end - 1))) {
            end--;
        }
        int at = skipSpace(text, 0);
        int nameStart = at;
        if (at < end && isNameStart(text.charAt(at))) {
            at++;
            while (at < end && isNamePart(text.charAt(at))) {
                at++;
            }
        }
        if (at == nameStart) {
            throw badFormat(text);
        }
        String name = text.substring(nameStart, at);
        at = skipSpace(text, at);
        Operator operator;
        if (text.startsWith("=~", at)) {
            operator = Operator.REGEX;
        } else if (text.startsWith("!=", at)) {
            operator = Operator.NOT_EQUAL;
        } else if (text.startsWith("!~", at)) {
            operator = Operator.NOT_REGEX;
        } else if (text.startsWith("=", at)) {
            operator = Operator.EQUAL;
        } else {
            throw badFormat(text);
        }
        int valueStart = skipSpace(text, at + operator.symbol().length());
        String raw = valueStart >= end ? "" : text.substring(valueStart, end);
        boolean expectTrailingQuote = raw.startsWith("\"");
        if (expectTrailingQuote) {
            raw = raw.substring(1);
        }
        StringBuilder value = new StringBuilder(raw.length());
        boolean escaped = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (escaped) {
                escaped = false;
                switch (c) {
                    case 'n' -> value.append('\n');
                    case '"', '\\' -> value.append(c);
                    default -> value.append('\\').append(c);
                }
                continue;
            }
            if (c == '\\') {
                if (i < raw.length() - 1) {
                    escaped = true;
                } else {
                    value.append('\\');
                }
            } else if (c == '"') {
                if (!expectTrailingQuote || i < raw.length() - 1) {
                    throw new IllegalArgumentException("matcher value contains an unescaped double quote: " + shown(text));
                }
                expectTrailingQuote = false;
            } else {
                value.append(c);
            }
        }
        if (expectTrailingQuote) {
            throw new IllegalArgumentException("matcher value lacks its closing double quote: " + shown(text));
        }
        if (operator.isRegex()) {
            if (nesting(value) > GateLimits.MAX_REGEX_NESTING) {
                throw new IllegalArgumentException("regular expression in matcher " + shown(text)
                        + " nests groups more than " + GateLimits.MAX_REGEX_NESTING + " deep");
            }
            try {
                // Alertmanager anchors regular expressions the same way.
                Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression in matcher " + shown(text) + ": "
                        + e.getDescription());
            }
        }
        return new AlertMatcher(name, operator, value.toString());
    }

    private static final int SHOWN = 80;

    /** The matcher as quoted in messages: its start only. */
    private static String shown(String text) {
        return Values.abbreviate(text, SHOWN);
    }

    private static IllegalArgumentException badFormat(String text) {
        return new IllegalArgumentException(
                "bad matcher format, expected name, one of = != =~ !~, and a value: " + shown(text));
    }

    /** White space as {@code \\s} counts it. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }

    /** The deepest nesting of groups in a regular expression, escapes and character classes skipped. */
    static int nesting(CharSequence regex) {
        int depth = 0;
        int deepest = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            }
        }
        return deepest;
    }

    /** Canonical text form, always quoted, suitable for Alertmanager's {@code filter} parameter. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(operator.symbol).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
