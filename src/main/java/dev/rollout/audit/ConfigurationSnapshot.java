package dev.rollout.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The service's own settings as the audit log shows them: every {@code rollout.*} property, keyed by its
 * environment variable name ({@code ROLLOUT_EVALUATION_INTERVAL}, the names operators set), with secrets
 * reduced to {@value #SET} and URLs stripped of user information, query and fragment. Settings that differ
 * per instance by design are left out, so that several instances with one configuration agree.
 */
public record ConfigurationSnapshot(Map<String, String> settings) {

    /** What a secret's value is shown as. */
    public static final String SET = "(set)";
    /** Names that hold secrets, or may: their values are never shown. */
    private static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE).*");
    /** Per instance by design. */
    private static final Set<String> PER_INSTANCE = Set.of("ROLLOUT_CONTROLLER_INSTANCE_ID", "ROLLOUT_WATCH_INSTANCE_ID");

    public ConfigurationSnapshot {
        settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
    }

    /** The snapshot of raw {@code name -> value} properties (dotted or environment names; others ignored). */
    public static ConfigurationSnapshot of(Map<String, String> properties) {
        Map<String, String> settings = new TreeMap<>();
        properties.forEach((name, value) -> {
            String key = envName(name);
            if (key == null || PER_INSTANCE.contains(key) || value == null) {
                return;
            }
            settings.put(key, shown(key, value));
        });
        return new ConfigurationSnapshot(settings);
    }

    /** {@code rollout.auth-cache.ttl} and {@code ROLLOUT_AUTH_CACHE_TTL} are both ROLLOUT_AUTH_CACHE_TTL; null for others. */
    static String envName(String name) {
        if (name == null || !(name.startsWith("rollout.") || name.startsWith("ROLLOUT_"))) {
            return null;
        }
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    static String shown(String key, String value) {
        if (SECRET.matcher(key).matches() || value.toLowerCase(Locale.ROOT).contains("password=")) {
            return SET;
        }
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            return value;
        }
        String rest = value.substring(scheme + 3);
        int end = rest.length();
        for (char c : new char[] { '?', '#' }) {
            int at = rest.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        rest = rest.substring(0, end);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        int user = authority.lastIndexOf('@');
        if (user >= 0) {
            authority = authority.substring(user + 1);
        }
        return value.substring(0, scheme + 3) + authority + path;
    }

    /** The names whose shown value differs from {@code previous} (added, removed or changed), sorted. */
    public List<String> changedSince(Map<String, ?> previous) {
        Set<String> names = new TreeSet<>(settings.keySet());
        names.addAll(previous.keySet());
        List<String> changed = new ArrayList<>();
        for (String name : names) {
            Object before = previous.get(name);
            String now = settings.get(name);
            if (before == null ? now != null : !before.equals(now)) {
                changed.add(name);
            }
        }
        return changed;
    }
}
