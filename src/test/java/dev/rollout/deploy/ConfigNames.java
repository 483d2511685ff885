package dev.rollout.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

/**
 * The configuration properties the service reads, found in what it is built from: every {@code @ConfigMapping}
 * (walked through its groups and maps, with SmallRye's kebab-case names), every {@code @ConfigProperty}, and
 * the keys and {@code ${...}} references of application.properties (test profile excluded). An environment
 * variable is read when it is the environment form of one of them (upper case, every other character {@code _};
 * a map key matches any name).
 */
final class ConfigNames {

    /** Property names; a map key is {@code *}. */
    private final Set<String> properties = new TreeSet<>();
    private final List<Pattern> environmentForms = new ArrayList<>();

    private ConfigNames() {
    }

    static ConfigNames ofTheService() {
        ConfigNames names = new ConfigNames();
        Path classes = classesDirectory();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('/', '.').replace('\\', '.');
                names.scan(Class.forName(name.substring(0, name.length() - ".class".length()), false,
                        ConfigNames.class.getClassLoader()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        names.readProperties(Path.of("src/main/resources/application.properties"));
        for (String property : names.properties) {
            StringBuilder regex = new StringBuilder();
            for (String part : property.split("\\*", -1)) {
                if (regex.length() > 0 || property.startsWith("*")) {
                    regex.append("[A-Z0-9_]+");
                }
                regex.append(Pattern.quote(part.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
            }
            names.environmentForms.add(Pattern.compile(regex.toString()));
        }
        if (names.properties.stream().noneMatch(p -> p.startsWith("rollout.grafana."))) {
            throw new IllegalStateException("found no rollout.grafana.* property in " + classes + ": scan broken");
        }
        return names;
    }

    /** Whether the service reads the environment variable {@code name}. */
    boolean readsEnvironmentVariable(String name) {
        return environmentForms.stream().anyMatch(p -> p.matcher(name).matches());
    }

    Set<String> properties() {
        return properties;
    }

    private void scan(Class<?> type) {
        ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
        if (mapping != null) {
            walk(mapping.prefix(), type, 0);
        }
        for (Field field : type.getDeclaredFields()) {
            property(field);
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            for (Parameter parameter : constructor.getParameters()) {
                property(parameter);
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            for (Parameter parameter : method.getParameters()) {
                property(parameter);
            }
        }
    }

    private void property(AnnotatedElement element) {
        ConfigProperty property = element.getAnnotation(ConfigProperty.class);
        if (property != null && !property.name().isEmpty()) {
            properties.add(property.name());
        }
    }

    private void walk(String prefix, Class<?> group, int depth) {
        if (depth > 10) {
            throw new IllegalStateException("mapping too deep at " + prefix);
        }
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            String name;
            if (method.isAnnotationPresent(WithParentName.class)) {
                name = prefix;
            } else {
                WithName withName = method.getAnnotation(WithName.class);
                name = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            }
            value(name, method.getGenericReturnType(), depth);
        }
    }

    private void value(String name, Type type, int depth) {
        Class<?> raw = raw(type);
        if ((raw == Optional.class || raw == List.class || raw == Set.class) && type instanceof ParameterizedType p) {
            value(name, p.getActualTypeArguments()[0], depth);
        } else if (raw == Map.class && type instanceof ParameterizedType p) {
            value(name + ".*", p.getActualTypeArguments()[1], depth);
        } else if (raw.isInterface() && raw.getName().startsWith("dev.rollout.")) {
            walk(name, raw, depth + 1);
        } else {
            properties.add(name);
        }
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private void readProperties(Path file) {
        Pattern reference = Pattern.compile("\\$\\{([A-Za-z0-9._\\-\"]+)");
        try {
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("%")) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                if (eq > 0) {
                    properties.add(trimmed.substring(0, eq).strip());
                }
                Matcher m = reference.matcher(trimmed);
                while (m.find()) {
                    properties.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path classesDirectory() {
        try {
            Path classes = Path.of(dev.rollout.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(classes)) {
                throw new IllegalStateException("the service's classes are not a directory: " + classes);
            }
            return classes;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
