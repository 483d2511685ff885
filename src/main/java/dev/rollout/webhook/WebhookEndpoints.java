package dev.rollout.webhook;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.rollout.plan.PlanValidator;
import io.quarkus.runtime.Startup;

/**
 * The step webhook endpoints an administrator configured: {@code rollout.webhook.endpoints.<name>.url} and
 * {@code .secret}, or {@code ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_URL} and {@code _SECRET}. A plan names one of
 * them; the URL and the secret always come from the same endpoint, so a secret signs only for its own URL.
 *
 * <p>Names are lowercase letters, digits and {@code -} ({@code traffic-router}), so that each has exactly one
 * environment spelling ({@code TRAFFIC_ROUTER}). The names are collected from the configuration's property
 * names and each endpoint read by its full name, which finds it however it was set; the mapping's map cannot,
 * since an environment variable's name does not say where the name ends. Read once at start-up: an endpoint
 * with a missing or unusable URL or secret stops the service, with a message naming the setting, never a
 * value.
 */
@Startup
@ApplicationScoped
public class WebhookEndpoints {

    private static final Logger LOG = Logger.getLogger(WebhookEndpoints.class);

    /** An endpoint name: one spelling in properties and in environment variables. */
    public static final Pattern NAME = PlanValidator.WEBHOOK_ENDPOINT;
    /** Shortest secret accepted. */
    public static final int MIN_SECRET_LENGTH = 16;
    static final String PREFIX = "rollout.webhook.endpoints.";
    private static final Pattern PROPERTY = Pattern.compile("rollout\\.webhook\\.endpoints\\.([^.]+)\\.(url|secret)");
    private static final Pattern ENV = Pattern.compile("ROLLOUT_WEBHOOK_ENDPOINTS_([A-Z0-9_]+)_(URL|SECRET)");

    /** A configured endpoint. Its secret never appears in {@link #toString()}. */
    public record Endpoint(String name, URI url, String secret) {
        @Override
        public String toString() {
            return "Endpoint[" + name + "]";
        }
    }

    private final SortedMap<String, Endpoint> endpoints;

    public WebhookEndpoints(Config config, WebhookConfig webhook) {
        if (webhook.maxAttempts() < 1) {
            throw new IllegalStateException("rollout.webhook.max-attempts must be 1 or more");
        }
        this.endpoints = Collections.unmodifiableSortedMap(read(config));
        for (String property : config.getPropertyNames()) {
            if (property.startsWith("rollout.webhook.secrets.") || property.startsWith("ROLLOUT_WEBHOOK_SECRETS_")) {
                LOG.warnf("%s is no longer used: plans name an endpoint, configured with its own URL and secret "
                        + "as ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_URL and ROLLOUT_WEBHOOK_ENDPOINTS_<NAME>_SECRET", property);
            }
        }
        if (!endpoints.isEmpty()) {
            LOG.infof("step webhook endpoints: %s", String.join(", ", endpoints.keySet()));
        }
    }

    /** The endpoint with this name, if configured. */
    public Optional<Endpoint> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(endpoints.get(name));
    }

    /** The configured endpoints' names, sorted. */
    public SortedSet<String> names() {
        return new TreeSet<>(endpoints.keySet());
    }

    private static SortedMap<String, Endpoint> read(Config config) {
        SortedSet<String> names = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (String property : config.getPropertyNames()) {
            Matcher p = PROPERTY.matcher(property);
            Matcher e = ENV.matcher(property);
            if (p.matches()) {
                if (NAME.matcher(p.group(1)).matches()) {
                    names.add(p.group(1));
                } else {
                    problems.add(property + ": an endpoint name is 1-63 lowercase letters, digits or '-'");
                }
            } else if (e.matches()) {
                String name = e.group(1).toLowerCase().replace('_', '-');
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                } else {
                    problems.add(property + ": an endpoint name is 1-63 letters, digits or '_' (for '-')");
                }
            }
        }
        SortedMap<String, Endpoint> endpoints = new TreeMap<>();
        for (String name : names) {
            Optional<String> url = config.getOptionalValue(PREFIX + name + ".url", String.class)
                    .filter(v -> !v.isBlank());
            Optional<String> secret = config.getOptionalValue(PREFIX + name + ".secret", String.class)
                    .filter(v -> !v.isBlank());
            String env = "ROLLOUT_WEBHOOK_ENDPOINTS_" + name.toUpperCase().replace('-', '_');
            URI uri = url.map(WebhookEndpoints::uri).orElse(null);
            if (url.isEmpty()) {
                problems.add(env + "_URL (" + PREFIX + name + ".url) is not set");
            } else if (uri == null) {
                problems.add(env + "_URL (" + PREFIX + name + ".url) must be an absolute http or https URL "
                        + "without credentials");
            }
            if (secret.isEmpty()) {
                problems.add(env + "_SECRET (" + PREFIX + name + ".secret) is not set: every endpoint signs with its "
                        + "own secret");
            } else if (secret.get().length() < MIN_SECRET_LENGTH || !secret.get().chars().allMatch(c -> c > 32 && c < 127)) {
                problems.add(env + "_SECRET (" + PREFIX + name + ".secret) must be at least " + MIN_SECRET_LENGTH
                        + " visible ASCII characters (openssl rand -hex 32)");
            }
            if (uri != null && secret.isPresent()) {
                endpoints.put(name, new Endpoint(name, uri, secret.get()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("step webhook endpoints are misconfigured: " + String.join("; ", problems));
        }
        return endpoints;
    }

    private static URI uri(String url) {
        try {
            URI uri = URI.create(url.trim());
            boolean http = uri.getScheme() != null
                    && (uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"));
            return http && uri.getHost() != null && uri.getUserInfo() == null ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
