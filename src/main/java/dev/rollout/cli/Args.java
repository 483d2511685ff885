package dev.rollout.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one command: positionals, options with a value ({@code --reason TEXT} or
 * {@code --reason=TEXT}) and flags ({@code --watch}). Strict: an unknown option, a missing value or an
 * option given twice that is not meant to repeat is a usage error, never guessed at. {@code --} ends the
 * options, so a reason may start with a dash.
 */
final class Args {

    /** What a command accepts: options taking a value, which of them may repeat, and flags. */
    record Spec(Set<String> valueOptions, Set<String> repeatable, Set<String> flags) {

        static Spec none() {
            return new Spec(Set.of(), Set.of(), Set.of());
        }

        static Spec values(String... names) {
            return new Spec(Set.of(names), Set.of(), Set.of());
        }

        Spec repeating(String... names) {
            return new Spec(valueOptions, Set.of(names), flags);
        }

        Spec flags(String... names) {
            return new Spec(valueOptions, repeatable, Set.of(names));
        }
    }

    private final List<String> positionals;
    private final Map<String, List<String>> values;
    private final Set<String> flags;

    private Args(List<String> positionals, Map<String, List<String>> values, Set<String> flags) {
        this.positionals = positionals;
        this.values = values;
        this.flags = flags;
    }

    static Args parse(List<String> raw, Spec spec) throws UsageException {
        List<String> positionals = new ArrayList<>();
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> flags = new java.util.LinkedHashSet<>();
        boolean optionsOver = false;
        for (int i = 0; i < raw.size(); i++) {
            String arg = raw.get(i);
            if (optionsOver || !arg.startsWith("--") || arg.equals("-")) {
                if (!optionsOver && arg.startsWith("-") && !arg.equals("-")) {
                    throw new UsageException("unknown option " + shown(arg));
                }
                positionals.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsOver = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (spec.flags().contains(name)) {
                if (eq >= 0) {
                    throw new UsageException("--" + name + " takes no value");
                }
                flags.add(name);
                continue;
            }
            if (!spec.valueOptions().contains(name)) {
                throw new UsageException("unknown option --" + shown(name));
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < raw.size()) {
                value = raw.get(++i);
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
            if (!list.isEmpty() && !spec.repeatable().contains(name)) {
                throw new UsageException("--" + name + " may be given once");
            }
            list.add(value);
        }
        return new Args(positionals, values, flags);
    }

    private static String shown(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    List<String> positionals() {
        return positionals;
    }

    /** Exactly {@code names.length} positionals, named in the message when they are not. */
    List<String> expect(String... names) throws UsageException {
        if (positionals.size() < names.length) {
            throw new UsageException("missing " + String.join(" ", names.length == 0 ? new String[0]
                    : java.util.Arrays.copyOfRange(names, positionals.size(), names.length)));
        }
        if (positionals.size() > names.length) {
            throw new UsageException("unexpected argument '" + shown(positionals.get(names.length)) + "'");
        }
        return positionals;
    }

    String value(String name) {
        List<String> list = values.get(name);
        return list == null ? null : list.get(0);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String name) throws UsageException {
        String value = value(name);
        if (value == null || value.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return value;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** Bad usage or input: exit code 2, with the message and a pointer to the command's help. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
