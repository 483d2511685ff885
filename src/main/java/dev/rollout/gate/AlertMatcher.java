package dev.rollout.gate;

import java.util.regex.Matcher;
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

        static Operator of(String symbol) {
            for (Operator op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(symbol);
        }
    }

    // The same expression Alertmanager uses (pkg/labels/parse.go).
    private static final Pattern SYNTAX =
            Pattern.compile("^\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(=~|=|!=|!~)\\s*(.*?)\\s*$", Pattern.DOTALL);

    /**
     * Parses a matcher string such as {@code severity=~"warning|critical"} or {@code alertname=Foo}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static AlertMatcher parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("matcher is empty");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "bad matcher format, expected name, one of = != =~ !~, and a value: " + text);
        }
        String raw = m.group(3);
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
                    throw new IllegalArgumentException("matcher value contains an unescaped double quote: " + text);
                }
                expectTrailingQuote = false;
            } else {
                value.append(c);
            }
        }
        if (expectTrailingQuote) {
            throw new IllegalArgumentException("matcher value lacks its closing double quote: " + text);
        }
        Operator operator = Operator.of(m.group(2));
        if (operator.isRegex()) {
            try {
                // Alertmanager anchors regular expressions the same way.
                Pattern.compile("^(?:" + value + ")$");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression in matcher " + text + ": "
                        + e.getDescription());
            }
        }
        return new AlertMatcher(m.group(1), operator, value.toString());
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
