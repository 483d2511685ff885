package dev.rollout.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The shipped YAML files read as plain maps and lists (SnakeYAML, safe constructor, merge keys resolved). */
public final class Yaml {

    private Yaml() {
    }

    /** Every document of {@code file}, each a map; fails the test when the file does not parse. */
    public static List<Map<String, Object>> documents(Path file) {
        assertTrue(Files.isRegularFile(file), file + " exists");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Map<String, Object>> documents = new ArrayList<>();
        try {
            for (Object document : new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
                if (document == null) {
                    continue;
                }
                assertTrue(document instanceof Map, file + ": every document is a mapping");
                documents.add(map(document));
            }
        } catch (RuntimeException e) {
            fail(file + " does not parse: " + e.getMessage(), e);
        }
        return documents;
    }

    /** The one document of {@code file}. */
    public static Map<String, Object> document(Path file) {
        List<Map<String, Object>> documents = documents(file);
        assertTrue(documents.size() == 1, file + " holds one document, not " + documents.size());
        return documents.get(0);
    }

    /** The value at a path of keys (strings) and list indexes (integers), or null. */
    public static Object at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current instanceof Map<?, ?> m && step instanceof String key) {
                current = m.get(key);
            } else if (current instanceof List<?> l && step instanceof Integer i && i < l.size()) {
                current = l.get(i);
            } else {
                return null;
            }
        }
        return current;
    }

    public static String string(Object node, Object... path) {
        Object value = at(node, path);
        return value == null ? null : String.valueOf(value);
    }

    public static Map<String, Object> mapAt(Object node, Object... path) {
        Object value = at(node, path);
        assertNotNull(value, "a mapping at " + List.of(path));
        return map(value);
    }

    public static List<Object> listAt(Object node, Object... path) {
        Object value = at(node, path);
        if (value == null) {
            return List.of();
        }
        assertTrue(value instanceof List, "a list at " + List.of(path) + ", not " + value);
        return list(value);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        assertTrue(value instanceof Map, "a mapping, not " + value);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        assertTrue(value instanceof List, "a list, not " + value);
        return (List<Object>) value;
    }
}
